import { PictureOutlined } from '@ant-design/icons';
import type { QuickReply } from '@xiaoer/core';
import { Button, Input, List, message as toast, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../shared/api';
import { useT } from '../shared/i18n';

/** The message box: Enter sends, "/" opens quick replies (TEAM-3), images upload then send. */
export function Composer(props: {
  disabled: boolean;
  onSendText: (text: string) => void;
  onSendImage: (url: string) => void;
  onTyping: () => void;
}) {
  const { t } = useT();
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<QuickReply[]>([]);
  const [active, setActive] = useState(0);
  const lastTyping = useRef(0);
  const query = text.startsWith('/') ? text.slice(1) : null;

  useEffect(() => {
    if (query === null) {
      setMatches([]);
      return;
    }
    const timer = setTimeout(() => {
      api<{ quickReplies: QuickReply[] }>('GET', `/api/quick-replies?q=${encodeURIComponent(query)}`)
        .then((r) => {
          setMatches(r.quickReplies.slice(0, 8));
          setActive(0);
        })
        .catch(() => setMatches([]));
    }, 120);
    return () => clearTimeout(timer);
  }, [query]);

  const sendQuick = (q: QuickReply) => {
    if (q.imageUrl) props.onSendImage(q.imageUrl);
    props.onSendText(q.text);
    setText('');
  };
  const submit = () => {
    if (query !== null && matches[active]) return sendQuick(matches[active]);
    const trimmed = text.trim();
    if (!trimmed) return;
    if (trimmed.length > 5000) return void toast.error('最多 5000 字 / at most 5000 characters');
    props.onSendText(trimmed);
    setText('');
  };

  return (
    <div style={{ position: 'relative', borderTop: '1px solid #f0f0f0', padding: 12, background: '#fff' }}>
      {matches.length > 0 && (
        <div
          style={{
            position: 'absolute',
            bottom: '100%',
            left: 12,
            right: 12,
            background: '#fff',
            boxShadow: '0 -4px 16px rgba(0,0,0,.12)',
            borderRadius: 8,
            zIndex: 10,
          }}
        >
          <List
            size="small"
            header={<b>{t.quickReplies}</b>}
            dataSource={matches}
            renderItem={(q, i) => (
              <List.Item
                data-testid="quick-reply-option"
                onMouseDown={(e) => {
                  e.preventDefault();
                  sendQuick(q);
                }}
                style={{
                  cursor: 'pointer',
                  background: i === active ? '#fff1e8' : undefined,
                  padding: '6px 12px',
                }}
              >
                <b style={{ marginRight: 8 }}>{q.title}</b>
                <span
                  style={{
                    color: '#888',
                    overflow: 'hidden',
                    textOverflow: 'ellipsis',
                    whiteSpace: 'nowrap',
                  }}
                >
                  {q.text}
                </span>
              </List.Item>
            )}
          />
        </div>
      )}
      <Input.TextArea
        data-testid="composer"
        value={text}
        disabled={props.disabled}
        placeholder={t.composerPlaceholder}
        autoSize={{ minRows: 2, maxRows: 6 }}
        onChange={(e) => {
          setText(e.target.value);
          if (Date.now() - lastTyping.current > 2000) {
            lastTyping.current = Date.now();
            props.onTyping();
          }
        }}
        onKeyDown={(e) => {
          if (matches.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
          } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          } else if (e.key === 'Escape') setText('');
        }}
      />
      <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 8 }}>
        <Upload
          accept="image/png,image/jpeg,image/gif,image/webp"
          showUploadList={false}
          disabled={props.disabled}
          customRequest={async ({ file, onSuccess, onError }) => {
            const form = new FormData();
            form.append('file', file as Blob);
            try {
              const res = await api<{ url: string }>('POST', '/api/uploads', form);
              props.onSendImage(res.url);
              onSuccess?.(res);
            } catch (e) {
              toast.error(e instanceof ApiError ? e.message : String(e));
              onError?.(e as Error);
            }
          }}
        >
          <Button icon={<PictureOutlined />} disabled={props.disabled}>
            {t.image}
          </Button>
        </Upload>
        <Button type="primary" data-testid="send-button" onClick={submit} disabled={props.disabled}>
          {t.send}
        </Button>
      </div>
    </div>
  );
}
