/** The widget's CSS, injected into its shadow root so the page's styles cannot reach it. */
export const CSS = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
.launcher svg { display: block; margin: auto; }
.attach svg { display: block; width: 20px; height: 20px; }
.launcher { position: fixed; right: 24px; bottom: 24px; width: 56px; height: 56px; border-radius: 50%; border: none;
  background: #ff5000; color: #fff; font-size: 26px; cursor: pointer; box-shadow: 0 4px 16px rgba(0,0,0,.2); z-index: 2147483000; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px;
  background: #f5222d; color: #fff; font-size: 12px; line-height: 20px; text-align: center; }
.badge[hidden] { display: none; }
.panel { position: fixed; right: 24px; bottom: 92px; width: 360px; height: 540px; max-height: calc(100vh - 110px); background: #fff;
  border-radius: 12px; box-shadow: 0 8px 32px rgba(0,0,0,.18); display: flex; flex-direction: column; overflow: hidden; z-index: 2147483000; }
.panel[hidden] { display: none; }
.header { background: #ff5000; color: #fff; padding: 12px 16px; display: flex; justify-content: space-between; align-items: center; }
.header .name { font-size: 16px; font-weight: 600; }
.header .hours { font-size: 12px; opacity: .85; margin-top: 2px; }
.header button { background: none; border: none; color: #fff; font-size: 20px; cursor: pointer; }
.header .actions { display: flex; align-items: center; gap: 4px; }
.header button.human { font-size: 12px; border: 1px solid rgba(255,255,255,.7); border-radius: 12px; padding: 2px 10px; white-space: nowrap; }
.choices { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
.choice { text-align: left; background: #fff7f0; border: 1px solid #ffc69e; color: #d4380d; border-radius: 8px; padding: 6px 10px; font-size: 13px; cursor: pointer; }
.choice:hover, .choice:focus-visible { background: #ffe7d6; outline: none; }
.hint { font-size: 11px; color: #999; margin-top: 6px; }
.card.pick { cursor: pointer; border-color: #ffc69e; }
.card.pick:hover, .card.pick:focus-visible { background: #fff7f0; outline: none; }
.banner { background: #fffbe6; color: #ad6800; font-size: 12px; padding: 4px 12px; text-align: center; }
.banner[hidden] { display: none; }
.queue { background: #fff7e6; color: #d46b08; font-size: 13px; padding: 6px 12px; text-align: center; border-bottom: 1px solid #ffe7ba; }
.queue[hidden] { display: none; }
.list { flex: 1; overflow-y: auto; padding: 12px; background: #f7f7f7; }
.row { display: flex; flex-direction: column; margin: 8px 0; }
.row.mine { align-items: flex-end; }
.row.theirs { align-items: flex-start; }
.row.system { align-items: center; }
.who { font-size: 11px; color: #999; margin-bottom: 2px; }
.bubble { max-width: 78%; padding: 8px 12px; border-radius: 12px; font-size: 14px; line-height: 1.5; white-space: pre-wrap; word-break: break-word; }
.mine .bubble { background: #ff5000; color: #fff; border-bottom-right-radius: 4px; }
.theirs .bubble { background: #fff; color: #222; border-bottom-left-radius: 4px; }
.system .bubble { background: none; color: #999; font-size: 12px; }
.bubble img { max-width: 200px; max-height: 200px; border-radius: 6px; display: block; }
.meta { font-size: 11px; color: #999; margin-top: 2px; }
.meta.error { color: #f5222d; }
.card { background: #fff; border: 1px solid #eee; border-radius: 8px; padding: 8px 12px; font-size: 13px; color: #333; min-width: 200px; }
.card .t { font-weight: 600; margin-bottom: 4px; display: flex; align-items: baseline; gap: 8px; }
.card .t .n { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.card .s { color: #ff5000; flex: none; white-space: nowrap; }
.typing { font-size: 12px; color: #999; padding: 0 12px 4px; min-height: 18px; background: #f7f7f7; }
.composer { display: flex; gap: 8px; padding: 8px; border-top: 1px solid #eee; align-items: flex-end; }
.composer textarea { flex: 1; resize: none; border: 1px solid #ddd; border-radius: 8px; padding: 8px; font-size: 14px; height: 40px; max-height: 120px; outline: none; }
.composer textarea:focus { border-color: #ff5000; }
.composer button { border: none; border-radius: 8px; padding: 0 14px; height: 40px; cursor: pointer; font-size: 14px; }
.send { background: #ff5000; color: #fff; }
.attach { background: #f2f2f2; color: #555; }
.rating { padding: 10px 12px; border-top: 1px solid #eee; background: #fffaf5; text-align: center; }
.rating[hidden] { display: none; }
.rating-title { font-size: 13px; color: #333; margin-bottom: 4px; }
.stars { display: flex; justify-content: center; gap: 4px; }
.star { background: none; border: none; font-size: 26px; line-height: 1; color: #d9d9d9; cursor: pointer; padding: 2px; }
.star.on { color: #fadb14; }
.star:focus-visible { outline: 2px solid #ff5000; border-radius: 4px; }
.rating-comment { width: 100%; margin-top: 6px; resize: none; border: 1px solid #ddd; border-radius: 8px; padding: 6px 8px; font-size: 13px; outline: none; }
.rating-comment[hidden] { display: none; }
.rating-comment:focus { border-color: #ff5000; }
.rating-actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 6px; }
.rating-actions button { border: none; border-radius: 6px; padding: 4px 12px; font-size: 13px; cursor: pointer; }
.rating-skip { background: none; color: #999; }
.rating-submit { background: #ff5000; color: #fff; }
.rating-submit:disabled { background: #ffc69e; cursor: default; }
.rating-error { font-size: 12px; color: #f5222d; }
.rating-error:empty { display: none; }
.rating-thanks { font-size: 13px; color: #389e0d; }
.header button.mine { font-size: 12px; border: 1px solid rgba(255,255,255,.7); border-radius: 12px; padding: 2px 10px; white-space: nowrap; }
.card .as-open { margin-top: 6px; background: #fff; border: 1px solid #ff5000; color: #ff5000; border-radius: 12px; padding: 2px 10px; font-size: 12px; cursor: pointer; }
.as { flex: 1; overflow-y: auto; background: #f7f7f7; display: flex; flex-direction: column; }
.as[hidden] { display: none; }
.as-bar { display: flex; align-items: center; gap: 8px; padding: 8px 12px; background: #fff; border-bottom: 1px solid #eee; }
.as-back { background: none; border: none; color: #ff5000; font-size: 14px; cursor: pointer; padding: 4px 0; }
.as-bar-title { font-size: 14px; font-weight: 600; color: #333; }
.as-list, .as-form { padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.as-title { font-size: 14px; font-weight: 600; color: #333; overflow-wrap: anywhere; }
.as-label { font-size: 12px; color: #666; margin-top: 4px; }
.as-kinds { display: flex; flex-wrap: wrap; gap: 6px; }
.as-kind { border: 1px solid #ddd; background: #fff; border-radius: 14px; padding: 4px 12px; font-size: 13px; cursor: pointer; color: #333; }
.as-kind[aria-checked="true"] { border-color: #ff5000; color: #ff5000; background: #fff7f0; }
.as-input { width: 100%; border: 1px solid #ddd; border-radius: 8px; padding: 8px; font-size: 14px; outline: none; resize: none; }
.as-input:focus { border-color: #ff5000; }
.as-photos { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.as-photos img { width: 56px; height: 56px; object-fit: cover; border-radius: 6px; border: 1px solid #eee; }
.as-add { width: 56px; height: 56px; border: 1px dashed #ccc; border-radius: 6px; background: #fff; color: #999; font-size: 11px; cursor: pointer; }
.as-actions { display: flex; justify-content: flex-end; gap: 8px; }
.as-primary { border: none; border-radius: 8px; padding: 8px 16px; background: #ff5000; color: #fff; font-size: 14px; cursor: pointer; }
.as-primary:disabled { background: #ffc69e; }
.as-secondary { border: 1px solid #ddd; border-radius: 8px; padding: 8px 16px; background: #fff; color: #555; font-size: 14px; cursor: pointer; }
.as-error { font-size: 12px; color: #f5222d; }
.as-error:empty { display: none; }
.as-order { display: block; width: 100%; text-align: left; border: 1px solid #eee; background: #fff; border-radius: 8px; padding: 8px 10px; margin: 6px 0; cursor: pointer; font: inherit; color: #333; }
.as-order:hover { border-color: #ff5000; }
.as-items { display: flex; flex-direction: column; gap: 4px; font-size: 13px; }
.as-empty { text-align: center; color: #999; font-size: 13px; padding: 24px 0; }
.as-case { background: #fff; border-radius: 8px; padding: 10px 12px; font-size: 13px; color: #333; display: flex; flex-direction: column; gap: 4px; }
.as-head { display: flex; gap: 8px; align-items: baseline; }
.as-kindname { flex: 1; min-width: 0; font-weight: 600; overflow-wrap: anywhere; }
.as-status { color: #ff5000; flex: none; white-space: nowrap; }
.as-reason, .as-note { color: #666; font-size: 12px; }
.as-clock { color: #d46b08; font-size: 12px; font-variant-numeric: tabular-nums; }
.as-wait { color: #1677ff; font-size: 12px; }
.as-ship { display: flex; flex-direction: column; gap: 6px; margin-top: 4px; }
.as-rate .stars { justify-content: flex-start; }
.notice { font-size: 12px; color: #f5222d; padding: 0 12px 4px; }
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; max-height: 100vh; border-radius: 0; }
}
`;
