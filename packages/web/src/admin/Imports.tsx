import type {
  ImportKind,
  ImportOutcome as Outcome,
  ImportPreview,
  ImportProblem as Problem,
} from '@xiaoer/protocol';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Dropdown,
  Segmented,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
  message as toast,
} from 'antd';
import { useState } from 'react';
import { api, shopLink, failureText } from '../shared/api';
import { useT } from '../shared/i18n';

type Kind = ImportKind;

type Preview = ImportPreview;

const yuan = (cents: unknown) => (typeof cents === 'number' ? `¥${(cents / 100).toFixed(2)}` : '—');
const when = (iso: unknown) => (typeof iso === 'string' ? new Date(iso).toLocaleString() : '—');

/** What the preview table shows of a record, per kind. */
function sampleColumns(kind: Kind, t: ReturnType<typeof useT>['t']) {
  const id = { title: t.importFields.externalId, dataIndex: 'externalId' };
  const b = (key: string, render?: (v: unknown) => string) => ({
    title: t.importFields[key] ?? key,
    render: (_: unknown, r: Preview['sample'][number]) =>
      render ? render(r.body[key]) : String(r.body[key] ?? '—'),
  });
  if (kind === 'products') return [id, b('title'), b('priceCents', yuan)];
  if (kind === 'buyers') return [id, b('nick'), b('phone')];
  return [
    id,
    b('buyerExternalId'),
    b('status', (s) => t.orderStatus[String(s)] ?? String(s)),
    b('totalCents', yuan),
    b('items', (items) =>
      Array.isArray(items)
        ? items
            .map((i) => `${(i as { title: string }).title} ×${(i as { quantity: number }).quantity}`)
            .join('、')
        : '—',
    ),
    b('createdAt', when),
  ];
}

/**
 * Issue #16: the shop's products, buyers and orders from a spreadsheet — the template to start
 * from, the file previewed (its encoding, which column is read as what, every problem by row and
 * column, how many are new), then imported (skipping the rows with problems only when asked).
 */
export function Imports() {
  const { t } = useT();
  const [kind, setKind] = useState<Kind>('orders');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [skip, setSkip] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const reset = () => {
    setFile(null);
    setPreview(null);
    setSkip(false);
    setOutcome(null);
  };
  const readFile = async (f: File, k: Kind) => {
    setBusy(true);
    setOutcome(null);
    try {
      const r = await api('POST', `/api/admin/imports/${k}/preview`, f);
      setFile(f);
      setPreview(r.preview);
      setSkip(false);
    } catch (e) {
      toast.error(failureText(e), 8);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t.imports} size="small">
      <Typography.Paragraph type="secondary">{t.importsHelp}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented
          data-testid="import-kind"
          value={kind}
          onChange={(v) => {
            setKind(v as Kind);
            reset();
          }}
          options={(['orders', 'products', 'buyers'] as const).map((k) => ({
            value: k,
            label: t.importKinds[k],
          }))}
        />
        <Dropdown
          menu={{
            items: [
              {
                key: 'xlsx-zh',
                label: (
                  <a href={shopLink(`/api/admin/imports/${kind}/template?format=xlsx&lang=zh`)}>
                    Excel（中文表头）
                  </a>
                ),
              },
              {
                key: 'csv-zh',
                label: (
                  <a href={shopLink(`/api/admin/imports/${kind}/template?format=csv&lang=zh`)}>
                    CSV（中文表头）
                  </a>
                ),
              },
              {
                key: 'xlsx-en',
                label: (
                  <a href={shopLink(`/api/admin/imports/${kind}/template?format=xlsx&lang=en`)}>
                    Excel (English)
                  </a>
                ),
              },
              {
                key: 'csv-en',
                label: (
                  <a href={shopLink(`/api/admin/imports/${kind}/template?format=csv&lang=en`)}>
                    CSV (English)
                  </a>
                ),
              },
            ],
          }}
        >
          <Button data-testid="import-template">{t.importTemplate}</Button>
        </Dropdown>
        <Upload
          accept=".csv,.txt,.xlsx"
          showUploadList={false}
          beforeUpload={(f) => {
            void readFile(f, kind);
            return false;
          }}
        >
          <Button type="primary" loading={busy && !preview} data-testid="import-file">
            {t.importChoose}
          </Button>
        </Upload>
        {file && <Typography.Text type="secondary">{file.name}</Typography.Text>}
      </Space>

      {preview && (
        <Space direction="vertical" style={{ width: '100%' }} data-testid="import-preview">
          <Descriptions size="small" column={{ xs: 1, sm: 2, md: 4 }} bordered>
            <Descriptions.Item label={t.importEncoding}>
              <Tag data-testid="import-encoding" data-encoding={preview.encoding}>
                {t.importEncodings[preview.encoding] ?? preview.encoding}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t.importRows}>{preview.rows}</Descriptions.Item>
            <Descriptions.Item label={t.importValid}>
              <span data-testid="import-valid">{preview.valid}</span>（{t.importFresh} {preview.fresh}，
              {t.importExisting} {preview.existing}）
            </Descriptions.Item>
            <Descriptions.Item label={t.importProblems}>
              <Typography.Text
                type={preview.problemCount ? 'danger' : undefined}
                data-testid="import-problem-count"
              >
                {preview.problemCount}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Text type="secondary">{t.importColumns}：</Typography.Text>
            {preview.columns.map((c, i) => (
              <Tag key={i} color={c.field ? 'blue' : undefined}>
                {c.header || '—'} → {c.field ? (t.importFields[c.field] ?? c.field) : t.importIgnored}
              </Tag>
            ))}
          </div>
          {preview.problems.length > 0 && (
            <Table<Problem>
              size="small"
              rowKey={(p) => `${p.row}:${p.column}:${p.message}`}
              dataSource={preview.problems}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              scroll={{ x: 'max-content' }}
              onRow={() => ({ 'data-testid': 'import-problem' }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                { title: t.importRow, dataIndex: 'row', width: 70 },
                { title: t.importColumn, dataIndex: 'column', width: 140 },
                {
                  title: t.importMessage,
                  render: (_: unknown, p) =>
                    (t.importProblemText[p.code] ?? t.importProblemText.invalid!)(p.value),
                },
              ]}
            />
          )}
          {preview.sample.length > 0 && (
            <Table
              size="small"
              title={() => t.importSample}
              rowKey="externalId"
              dataSource={preview.sample}
              pagination={false}
              scroll={{ x: 'max-content' }}
              columns={sampleColumns(preview.kind, t)}
            />
          )}
          <Space wrap>
            {preview.problemCount > 0 && (
              <Checkbox checked={skip} onChange={(e) => setSkip(e.target.checked)} data-testid="import-skip">
                {t.importSkip}
              </Checkbox>
            )}
            <Button
              type="primary"
              data-testid="import-go"
              loading={busy}
              disabled={preview.valid === 0 || (preview.problemCount > 0 && !skip)}
              onClick={async () => {
                if (!file) return;
                setBusy(true);
                try {
                  const r = await api(
                    'POST',
                    `/api/admin/imports/${preview.kind}${skip ? '?skipInvalid=true' : ''}`,
                    file,
                  );
                  setOutcome(r);
                  setPreview(null);
                  setFile(null);
                } catch (e) {
                  toast.error(failureText(e), 8);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t.importGo} {preview.valid}
            </Button>
          </Space>
        </Space>
      )}
      {outcome && (
        <Alert
          type="success"
          showIcon
          data-testid="import-outcome"
          message={`${t.importDone}：${t.importOutcome(outcome.imported, outcome.skipped)}`}
        />
      )}
    </Card>
  );
}
