import { DownOutlined } from '@ant-design/icons';
import type { MeResponse, ShopDto as Shop } from '@xiaoer/protocol';
import { Dropdown, Space, Tag } from 'antd';
import { useState } from 'react';
import { ChangePasswordModal } from './ChangePasswordModal';
import { useT } from './i18n';
import { NewShopModal } from './NewShopModal';

/** My name and role in this shop; the menu to change my password and (the organisation's owner) open a shop. */
export function AccountMenu(props: {
  me: MeResponse;
  onPasswordChanged: () => void;
  onShopCreated: (shop: Shop) => Promise<void>;
}) {
  const { t } = useT();
  const [open, setOpen] = useState<'password' | 'shop' | null>(null);
  const items = [
    { key: 'password', label: <span data-testid="menu-change-password">{t.changePassword}</span> },
    ...(props.me.isOrgOwner
      ? [{ key: 'shop', label: <span data-testid="menu-new-shop">{t.newShop}</span> }]
      : []),
  ];
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{ items, onClick: ({ key }) => setOpen(key as 'password' | 'shop') }}
      >
        <a data-testid="account-menu" onClick={(e) => e.preventDefault()}>
          <Space size={4}>
            {props.me.agent.name}
            <Tag data-testid="me-role" data-role={props.me.agent.role} style={{ marginInlineEnd: 0 }}>
              {t.roles[props.me.agent.role] ?? props.me.agent.role}
            </Tag>
            <DownOutlined style={{ fontSize: 10 }} />
          </Space>
        </a>
      </Dropdown>
      <ChangePasswordModal
        open={open === 'password'}
        onClose={() => setOpen(null)}
        onChanged={props.onPasswordChanged}
      />
      {props.me.isOrgOwner && (
        <NewShopModal open={open === 'shop'} onClose={() => setOpen(null)} onCreated={props.onShopCreated} />
      )}
    </>
  );
}
