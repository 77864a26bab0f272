import type { SetupStatusResponse } from '@xiaoer/protocol';
import { Alert, Button, Card, Col, Form, Input, Result, Row, Select, Space, Spin, Typography } from 'antd';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setCurrentShop, failureText } from '../shared/api';
import { useT, type Dict } from '../shared/i18n';
import { LangSwitch } from '../shared/LangSwitch';
import { SaveErrorAlert, useFormSubmit, useSaveError, type FieldPath } from '../shared/settingsForm';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@xiaoer/protocol/limits';

/** What the setup form holds (the confirmation stays in the browser). */
interface SetupValues {
  token: string;
  orgName?: string;
  name: string;
  slug: string;
  timeZone: string;
  ownerName?: string;
  ownerEmail: string;
  password: string;
  confirm: string;
}

function fieldLabel(path: FieldPath, t: Dict): string {
  const names: Record<string, string> = {
    token: t.setupToken,
    orgName: t.orgName,
    name: t.shopName,
    slug: t.slug,
    timeZone: t.timeZone,
    ownerName: t.ownerName,
    ownerEmail: t.ownerEmail,
    password: t.password,
  };
  return names[String(path[0])] ?? path.join('.');
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

/** Every IANA zone the browser knows (Asia/Shanghai first), for the shop's time zone. */
function timeZones(): string[] {
  const all =
    (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return ['Asia/Shanghai', ...all.filter((z) => z !== 'Asia/Shanghai')];
}

function Page(props: { width: number; children: ReactNode }) {
  const { t } = useT();
  return (
    <div style={{ minHeight: '100vh', padding: '24px 16px', boxSizing: 'border-box' }}>
      <div style={{ maxWidth: props.width, margin: '0 auto' }}>
        <div
          style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 16 }}
        >
          <Typography.Title level={3} style={{ margin: 0, color: '#ff5000' }}>
            店小二 <Typography.Text type="secondary">· {t.appSetup}</Typography.Text>
          </Typography.Title>
          <LangSwitch />
        </div>
        {props.children}
      </div>
    </div>
  );
}

/**
 * Issue #13, first run: the form that creates the organisation, its first shop and the owner (with
 * the setup token printed at start), then lands the owner, logged in, in the admin console.
 */
function SetupForm() {
  const { t } = useT();
  const [form] = Form.useForm<SetupValues>();
  const saveError = useSaveError(form, fieldLabel);
  const { busy, submit } = useFormSubmit(form, saveError);
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: z })), []);
  const initial = useMemo(
    () => ({
      token: new URLSearchParams(window.location.search).get('token') ?? '',
      timeZone: 'Asia/Shanghai',
    }),
    [],
  );
  const onSubmit = () =>
    submit(async ({ confirm: _confirm, orgName, ownerName, ...values }) => {
      const r = await api('POST', '/api/setup', {
        ...values,
        ...(orgName?.trim() ? { orgName } : {}),
        ...(ownerName?.trim() ? { ownerName } : {}),
      });
      // The owner is logged in (the answer set the session cookie): to the console, in the new shop.
      setCurrentShop(r.shop.id);
      window.location.assign('/admin/');
    });
  return (
    <Card data-testid="setup-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t.setupTitle}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t.setupIntro}</Typography.Paragraph>
      <SaveErrorAlert error={saveError.error} testId="setup-error" />
      <Form form={form} name="setup" layout="vertical" initialValues={initial} onFinish={onSubmit}>
        <Form.Item name="token" label={t.setupToken} extra={t.setupTokenHint} rules={[{ required: true }]}>
          <Input.Password data-testid="setup-token" autoComplete="off" visibilityToggle />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="name" label={t.shopName} rules={[{ required: true, max: 60, whitespace: true }]}>
              <Input data-testid="setup-shop-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="slug"
              label={t.slug}
              extra={t.slugHint}
              rules={[{ required: true, pattern: SLUG, message: t.slugHint }]}
            >
              <Input data-testid="setup-slug" autoComplete="off" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="orgName" label={t.orgName} extra={t.orgNameHint} rules={[{ max: 60 }]}>
              <Input data-testid="setup-org-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="timeZone" label={t.timeZone} rules={[{ required: true }]}>
              <Select data-testid="setup-time-zone" showSearch options={zones} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="ownerName" label={t.ownerName} rules={[{ max: 40 }]}>
              <Input data-testid="setup-owner-name" autoComplete="name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="ownerEmail" label={t.ownerEmail} rules={[{ required: true, type: 'email' }]}>
              <Input data-testid="setup-owner-email" autoComplete="username" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="password"
              label={t.password}
              extra={t.passwordRule}
              rules={[{ required: true, min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH }]}
            >
              <Input.Password data-testid="setup-password" autoComplete="new-password" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="confirm"
              label={t.setupPasswordConfirm}
              dependencies={['password']}
              rules={[
                { required: true },
                ({ getFieldValue }) => ({
                  validator: (_rule, value) =>
                    !value || getFieldValue('password') === value
                      ? Promise.resolve()
                      : Promise.reject(new Error(t.passwordMismatch)),
                }),
              ]}
            >
              <Input.Password data-testid="setup-password-confirm" autoComplete="new-password" />
            </Form.Item>
          </Col>
        </Row>
        <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="setup-submit">
          {t.setupSubmit}
        </Button>
      </Form>
    </Card>
  );
}

/** Issue #13: beside the demo and before a real shop, `/` shows both paths. */
function Landing() {
  const { t } = useT();
  return (
    <div data-testid="landing">
      <Typography.Title level={2} style={{ marginTop: 8 }}>
        {t.landingTitle}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t.landingIntro}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Card title={t.landingOwnTitle} style={{ height: '100%' }}>
            <Typography.Paragraph>{t.landingOwnText}</Typography.Paragraph>
            <Button type="primary" href="/setup" data-testid="landing-setup">
              {t.landingSetup}
            </Button>
            <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
              {t.landingCli}
              <br />
              <Typography.Text code copyable>
                npx xiaoer shop create --slug my-shop --name 我的店 --owner-email me@example.com
                --password-stdin
              </Typography.Text>
            </Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title={t.landingDemoTitle} style={{ height: '100%' }}>
            <Typography.Paragraph>{t.landingDemoText}</Typography.Paragraph>
            <Space wrap>
              <Button href="/demo" data-testid="landing-demo">
                {t.landingDemoPage}
              </Button>
              <Button href="/workbench/" data-testid="landing-workbench">
                {t.appWorkbench}
              </Button>
              <Button href="/admin/" data-testid="landing-admin">
                {t.appAdmin}
              </Button>
            </Space>
            <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
              {t.landingDemoLogins} agent1@demo.xiaoer.dev, owner@demo.xiaoer.dev
              <br />
              {t.landingDemoOffHint}
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>
    </div>
  );
}

/** The first-run page at `/setup`, and the landing at `/` while the demo is on and no shop exists. */
export function SetupApp() {
  const { t } = useT();
  const [status, setStatus] = useState<SetupStatusResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const atSetup = window.location.pathname.startsWith('/setup');
  useEffect(() => {
    api('GET', '/api/setup')
      .then(setStatus)
      .catch((e: unknown) => setError(failureText(e)));
  }, []);
  if (error)
    return (
      <Page width={720}>
        <Alert type="error" showIcon message={error} />
      </Page>
    );
  if (!status)
    return (
      <Page width={720}>
        <Spin />
      </Page>
    );
  if (!status.needed)
    return (
      <Page width={720}>
        <Result
          status="success"
          title={t.setupDone}
          subTitle={t.setupDoneHint}
          extra={[
            <Button type="primary" href="/admin/" key="admin">
              {t.goAdmin}
            </Button>,
            <Button href="/workbench/" key="workbench">
              {t.goWorkbench}
            </Button>,
          ]}
        />
      </Page>
    );
  if (!atSetup && status.demo)
    return (
      <Page width={1040}>
        <Landing />
      </Page>
    );
  return (
    <Page width={720}>
      <SetupForm />
    </Page>
  );
}
