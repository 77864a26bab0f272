import type { MeResponse, ShopDto as Shop } from '@xiaoer/protocol';
import { MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Space, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
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
  const phone = usePhone();
  const [menuOpen, setMenuOpen] = useState(false);
  const account = (
    <AccountMenu
      me={me}
      onPasswordChanged={props.onPasswordChanged}
      onShopCreated={(shop: Shop) => props.onSwitchShop(shop.id)}
    />
  );
  // Issue #18: at 390 px the bar keeps one line — brand, shop, status, the app's own controls —
  // and the rest (account, language, the other app, logout) opens from the menu button.
  if (phone)
    return (
      <Layout.Header
        style={{
          background: '#fff',
          borderBottom: '1px solid #f0f0f0',
          display: 'flex',
          alignItems: 'center',
          gap: 8,
          padding: '0 8px 0 12px',
          height: 52,
          lineHeight: '52px',
        }}
      >
        <Typography.Text strong style={{ color: '#ff5000', fontSize: 18, flex: 'none' }}>
          二
        </Typography.Text>
        <Typography.Text ellipsis style={{ flex: 1, minWidth: 0 }} data-testid="header-shop">
          {me.shop.name}
        </Typography.Text>
        {props.status}
        {props.controls}
        <Button
          type="text"
          data-testid="header-menu"
          aria-label={t.menu}
          icon={<MenuOutlined />}
          onClick={() => setMenuOpen(true)}
          style={{ minWidth: 44, minHeight: 44 }}
        />
        <Drawer
          open={menuOpen}
          onClose={() => setMenuOpen(false)}
          width={280}
          title={`${me.shop.name} · ${props.appName}`}
        >
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            {account}
            {me.shops.length > 1 && <ShopSwitcher me={me} onSwitch={props.onSwitchShop} />}
            <LangSwitch />
            {props.link && <a href={props.link.href}>{props.link.label}</a>}
            <Button block onClick={props.onLogout}>
              {t.logout}
            </Button>
          </Space>
        </Drawer>
      </Layout.Header>
    );
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
        {account}
        {props.controls}
        <LangSwitch />
        {props.link && <a href={props.link.href}>{props.link.label}</a>}
        <Button onClick={props.onLogout}>{t.logout}</Button>
      </Space>
    </Layout.Header>
  );
}

/** Issue #18: narrower than antd's md breakpoint (768 px): a phone, one pane at a time. */
export function usePhone(): boolean {
  const screens = Grid.useBreakpoint();
  if (screens.md === undefined) return typeof window !== 'undefined' && window.innerWidth < 768;
  return !screens.md;
}
