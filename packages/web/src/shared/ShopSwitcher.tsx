import type { MeResponse } from '@xiaoer/protocol';
import { failureText } from './api';
import { Select, message as toast } from 'antd';
import { useState } from 'react';
import { useT } from './i18n';

/** TEAM-4: the shops I serve, to act in another (shown when there is more than one). */
export function ShopSwitcher(props: { me: MeResponse; onSwitch: (shopId: string) => Promise<void> }) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  if (props.me.shops.length < 2) return null;
  return (
    <Select
      data-testid="shop-switcher"
      aria-label={t.switchShop}
      value={props.me.shop.id}
      loading={busy}
      disabled={busy}
      style={{ minWidth: 160 }}
      popupMatchSelectWidth={false}
      options={props.me.shops.map((s) => ({
        value: s.id,
        label: `${s.name} · ${t.roles[s.role] ?? s.role}`,
      }))}
      onChange={async (shopId: string) => {
        setBusy(true);
        try {
          await props.onSwitch(shopId);
        } catch (e) {
          toast.error(failureText(e));
        } finally {
          setBusy(false);
        }
      }}
    />
  );
}
