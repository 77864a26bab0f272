import type { Shop } from '@xiaoer/core';
import type { MeResponse } from '@xiaoer/protocol';
import { Button, Layout, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { AccountMenu } from './AccountMenu';
import { useT } from './i18n';
import { LangSwitch } from './LangSwitch';
import { ShopSwitcher } from './ShopSwitcher';

/**
 * The bar both apps share: brand, shop (a switcher when I serve several) and app name, my account
 * menu, extra controls, language, logout.
 */
export function AppHeader(props: {
  me: MeResponse;
  appName: string;
  status?: ReactNode;
  controls?: ReactNode;
  link: { href: string; label: string } | null;
  onLogout: () => void;
  /** TEAM-4: act in another shop of mine. */
  onSwitchShop: (shopId: string) => Promise<void>;
  /** My password changed: every session of mine ended. */
  onPasswordChanged: () => void;
}) {
  const { t } = useT();
  const { me } = props;
  return (
    <Layout.Header
      style={{
        background: '#fff',
        borderBottom: '1px solid #f0f0f0',
        display: 'flex',
        justifyContent: 'space-between',
        alignItems: 'center',
        padding: '0 16px',
      }}
    >
      <Space>
        <Typography.Title level={4} style={{ margin: 0, color: '#ff5000' }}>
          店小二
        </Typography.Title>
        {me.shops.length > 1 ? (
          <>
            <ShopSwitcher me={me} onSwitch={props.onSwitchShop} />
            <Typography.Text>{props.appName}</Typography.Text>
          </>
        ) : (
          <Typography.Text>
            {me.shop.name} · {props.appName}
          </Typography.Text>
        )}
        {props.status}
      </Space>
      <Space>
        <AccountMenu
          me={me}
          onPasswordChanged={props.onPasswordChanged}
          onShopCreated={(shop: Shop) => props.onSwitchShop(shop.id)}
        />
        {props.controls}
        <LangSwitch />
        {props.link && <a href={props.link.href}>{props.link.label}</a>}
        <Button onClick={props.onLogout}>{t.logout}</Button>
      </Space>
    </Layout.Header>
  );
}
