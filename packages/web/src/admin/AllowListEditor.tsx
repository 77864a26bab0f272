import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Input, List, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../shared/i18n';
import { MAX_ALLOW_LIST, MAX_ALLOW_LIST_TEXT } from '@xiaoer/protocol/limits';

/** As the server: at most MAX_ALLOW_LIST sentences of at most MAX_ALLOW_LIST_TEXT characters (issue #17). */
const MAX_ENTRIES = MAX_ALLOW_LIST;
const MAX_LENGTH = MAX_ALLOW_LIST_TEXT;

/** Loosely the same sentence (the server compares normalised forms, and names a duplicate it finds). */
const sameText = (a: string, b: string) =>
  a.replace(/\s+/g, '').toLowerCase() === b.replace(/\s+/g, '').toLowerCase();

/**
 * Issue #17: the shop's allow list, as a form control — the sentences with a remove button each,
 * and a box to add one. Saved with the rest of the compliance settings.
 */
export function AllowListEditor(props: { value?: string[]; onChange?: (value: string[]) => void }) {
  const { t } = useT();
  const list = props.value ?? [];
  const [draft, setDraft] = useState('');
  const text = draft.trim();
  const duplicate = text !== '' && list.some((s) => sameText(s, text));

  const add = () => {
    if (!text || duplicate || list.length >= MAX_ENTRIES) return;
    props.onChange?.([...list, text]);
    setDraft('');
  };

  return (
    <div data-testid="compliance-allow-list">
      <div style={{ display: 'flex', gap: 8, marginBottom: 8 }}>
        <Input
          value={draft}
          maxLength={MAX_LENGTH}
          placeholder={t.allowListPlaceholder}
          aria-label={t.allowList}
          data-testid="compliance-allow-input"
          status={duplicate ? 'warning' : undefined}
          style={{ flex: 1, minWidth: 0 }}
          onChange={(e) => setDraft(e.target.value)}
          // Enter adds the sentence, not submits the form.
          onPressEnter={(e) => {
            e.preventDefault();
            add();
          }}
        />
        <Button
          icon={<PlusOutlined />}
          disabled={!text || duplicate || list.length >= MAX_ENTRIES}
          onClick={add}
          data-testid="compliance-allow-add"
        >
          {t.allowListAdd}
        </Button>
      </div>
      {duplicate && (
        <Typography.Text type="warning" style={{ fontSize: 12 }}>
          {t.allowListDuplicate}
        </Typography.Text>
      )}
      <List
        size="small"
        bordered
        dataSource={list}
        locale={{ emptyText: t.allowListEmpty }}
        style={{ maxHeight: 240, overflowY: 'auto' }}
        renderItem={(item, i) => (
          // The remove button stays beside its sentence, even on a phone (List's actions drop below).
          <List.Item>
            <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start', width: '100%' }}>
              <span
                data-testid="compliance-allow-item"
                style={{ flex: 1, minWidth: 0, wordBreak: 'break-word' }}
              >
                {item}
              </span>
              <Button
                type="text"
                danger
                size="small"
                icon={<DeleteOutlined />}
                aria-label={`${t.removeAllowListItem} ${item}`}
                data-testid="compliance-allow-remove"
                onClick={() => props.onChange?.(list.filter((_, j) => j !== i))}
              />
            </div>
          </List.Item>
        )}
      />
    </div>
  );
}
