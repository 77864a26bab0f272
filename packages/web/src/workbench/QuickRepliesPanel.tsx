import { PictureOutlined } from '@ant-design/icons';
import type { QuickReplyDto as QuickReply } from '@xiaoer/protocol';
import { Button, Input, List, Popconfirm, Space, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useT } from '../shared/i18n';
import { QuickReplyModal } from './QuickReplyModal';
import { useShopApi } from './shopScope';

/** TEAM-3: browse, search, create, edit and delete quick replies; a click sends one. */
export function QuickRepliesPanel(props: {
  myId: string;
  isAdmin: boolean;
  onUse?: (q: QuickReply) => void;
  sharedOnly?: boolean;
}) {
  const { t } = useT();
  const api = useShopApi();
  const [q, setQ] = useState('');
  const [items, setItems] = useState<QuickReply[]>([]);
  const [editing, setEditing] = useState<Partial<QuickReply> | null>(null);
  const [open, setOpen] = useState(false);
  const load = useCallback(() => {
    api('GET', `/api/quick-replies?q=${encodeURIComponent(q)}`).then((r) => setItems(r.quickReplies));
  }, [q, api]);
  useEffect(load, [load]);
  const shown = props.sharedOnly ? items.filter((i) => i.ownerId === null) : items;
  const canEdit = (i: QuickReply) => (i.ownerId === null ? props.isAdmin : i.ownerId === props.myId);
  return (
    <div>
      <Space style={{ marginBottom: 8, width: '100%' }}>
        <Input.Search placeholder="fh / 发货" allowClear value={q} onChange={(e) => setQ(e.target.value)} />
        <Button
          type="primary"
          onClick={() => {
            setEditing(props.sharedOnly ? { ownerId: null } : null);
            setOpen(true);
          }}
        >
          {t.create}
        </Button>
      </Space>
      <List
        size="small"
        dataSource={shown}
        renderItem={(i) => (
          <List.Item
            actions={
              canEdit(i)
                ? [
                    <a
                      key="e"
                      onClick={() => {
                        setEditing(i);
                        setOpen(true);
                      }}
                    >
                      {t.edit}
                    </a>,
                    <Popconfirm
                      key="d"
                      title={`${t.delete}?`}
                      onConfirm={() => api('DELETE', `/api/quick-replies/${i.id}`).then(load)}
                    >
                      <a>{t.delete}</a>
                    </Popconfirm>,
                  ]
                : []
            }
          >
            <div style={{ cursor: props.onUse ? 'pointer' : undefined }} onClick={() => props.onUse?.(i)}>
              <b>{i.title}</b> <Tag>{i.ownerId === null ? t.shared : t.personal}</Tag>
              {i.imageUrl && (
                <Tag icon={<PictureOutlined />} color="blue" data-testid="quick-reply-has-image">
                  {t.image}
                </Tag>
              )}
              <div style={{ color: '#888', fontSize: 12 }}>{i.text}</div>
            </div>
          </List.Item>
        )}
      />
      <QuickReplyModal
        open={open}
        initial={editing}
        canShare={props.isAdmin}
        onClose={() => setOpen(false)}
        onSaved={() => {
          setOpen(false);
          load();
        }}
      />
    </div>
  );
}
