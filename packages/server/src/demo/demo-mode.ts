import type { ShopId } from '@xiaoer/core';

/** `DEMO` (config.ts): unset is `auto`, on while the database has no shop but the demo. */
export type DemoSetting = 'auto' | 'on' | 'off';

const NONE: ReadonlySet<ShopId> = new Set();

/**
 * Demo mode (issue #13): whether the demo shop is served — `/demo`, its accounts' logins (their
 * passwords are known) and its widget. In `auto` it is on until a real (non-demo) shop exists,
 * whichever process made it (the setup page, `npx xiaoer shop create`): asked of the database each
 * time while on, and remembered once off (shops are not deleted, so auto never turns back on).
 */
export class DemoMode {
  setting: DemoSetting = 'auto';
  /** Demo mode is off for good (setting `off`, or `auto` after a real shop): the demo's shops. */
  private closed: ReadonlySet<ShopId> | undefined;

  constructor(
    private readonly shops: {
      hasRealShop(): Promise<boolean>;
      listDemoShopIds(): Promise<ShopId[]>;
    },
  ) {}

  /** Sets `DEMO` (at start). */
  configure(setting: DemoSetting): void {
    this.setting = setting;
    this.closed = undefined;
  }

  /** Whether the demo is served now. */
  async isOn(): Promise<boolean> {
    if (this.setting !== 'auto') return this.setting === 'on';
    return !this.closed && !(await this.shops.hasRealShop());
  }

  /** The shops closed by demo mode being off: the demo's shops, or none while it is on. */
  async closedShops(): Promise<ReadonlySet<ShopId>> {
    if (this.closed) return this.closed;
    if (await this.isOn()) return NONE;
    const closed = new Set(await this.shops.listDemoShopIds());
    this.closed = closed;
    return closed;
  }

  /** Whether the shop is one demo mode being off closes. */
  async isClosed(shopId: ShopId): Promise<boolean> {
    return (await this.closedShops()).has(shopId);
  }
}
