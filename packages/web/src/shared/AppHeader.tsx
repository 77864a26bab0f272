import type { MeResponse } from '@xiaoer/protocol';
import { Button, Layout, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT } from './i18n';
import { LangSwitch } from './LangSwitch';

/** The bar both apps share: brand, shop and app name, the agent, extra controls, language, logout. */
export function AppHeader(props: {
  me: MeResponse;
  appName: string;
  status?: ReactNode;
  controls?: ReactNode;
  link: { href: string; label: string } | null;
  onLogout: () => void;
}) {
  const { t } = useT();
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
        <Typography.Text>
          {props.me.shop.name} · {props.appName}
        </Typography.Text>
        {props.status}
      </Space>
      <Space>
        <Typography.Text>{props.me.agent.name}</Typography.Text>
        {props.controls}
        <LangSwitch />
        {props.link && <a href={props.link.href}>{props.link.label}</a>}
        <Button onClick={props.onLogout}>{t.logout}</Button>
      </Space>
    </Layout.Header>
  );
}
