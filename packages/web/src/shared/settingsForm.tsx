/**
 * What the console's settings forms (routing, compliance, metrics) share: the settings loaded when
 * the form opens, and a server's refusal shown on the field it names and in an alert.
 */
import { Alert, message as toast, type FormInstance } from 'antd';
import { useEffect, useState } from 'react';
import { ApiError, failureText } from './api';
import { useT, type Dict } from './i18n';

/** A path in a form: `['groups', 1, 'statuses']`. */
export type FieldPath = (string | number)[];

/** A refused save as the alert shows it; `path` is the form item marked with it, if any. */
export interface SaveError {
  label: string;
  message: string;
  path?: FieldPath;
}

/** The server names a field as `groups[1].statuses` (core) or `groups.1.statuses` (zod): a form path. */
export function fieldPath(field: string): FieldPath {
  return field
    .split(/[.[\]]+/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * The settings last loaded or saved, put into the form whenever they change. `load` runs once when
 * the form mounts (a toast says why if it fails) and answers the settings; it may keep whatever
 * else came with them.
 */
export function useLoadedSettings<S, V>(
  form: FormInstance<V>,
  load: () => Promise<S>,
  toForm: (settings: S) => Parameters<FormInstance<V>['setFieldsValue']>[0],
): [S | null, (settings: S) => void] {
  const [saved, setSaved] = useState<S | null>(null);
  useEffect(() => {
    load()
      .then(setSaved)
      .catch((e: unknown) => toast.error(failureText(e)));
    // Once, on mount: `load` reads the server and keeps what it read; it needs no newer copy.
  }, []);
  useEffect(() => {
    if (saved) form.setFieldsValue(toForm(saved));
  }, [saved, form]);
  return [saved, setSaved];
}

/**
 * A save's error: `show` puts an ApiError that names a field on that field (`item` maps the server's
 * path to the form item, when they differ) and names it in `label`'s words, anything else as a
 * generic error; `clear`, before the next save, takes the last one off the form.
 */
export function useSaveError(
  form: FormInstance,
  label: (path: FieldPath, t: Dict) => string,
  item: (path: FieldPath) => FieldPath = (path) => path,
) {
  const { t } = useT();
  const [error, setError] = useState<SaveError | null>(null);
  const clear = () => {
    // The field the server named last time is fixed or not: the server says again.
    if (error?.path) form.setFields([{ name: error.path as never, errors: [] }]);
    setError(null);
  };
  const show = (e: unknown) => {
    if (e instanceof ApiError && e.field) {
      const path = fieldPath(e.field);
      setError({ label: label(path, t), message: e.message, path: item(path) });
      try {
        form.setFields([{ name: item(path) as never, errors: [e.message] }]);
      } catch {
        // a field the form does not show (a removed group, say): the alert names it
      }
    } else setError({ label: t.fieldError, message: failureText(e) });
  };
  return { error, clear, show };
}

/**
 * Submitting a form: the last refusal cleared, the form validated, then `run` with its values; a
 * refusal is shown on its field (and in the alert). `busy` while it runs. The settings forms and
 * the console's modals (agents, passwords, new shop) all submit this way.
 */
export function useFormSubmit<V>(form: FormInstance<V>, saveError: ReturnType<typeof useSaveError>) {
  const [busy, setBusy] = useState(false);
  const submit = async (run: (values: V) => Promise<void>) => {
    saveError.clear();
    const values = await form.validateFields().catch(() => undefined);
    if (!values) return;
    setBusy(true);
    try {
      await run(values);
    } catch (e) {
      saveError.show(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, submit };
}

/**
 * Saving a settings form: `build` turns its values into the settings `B` (sent whole by `put`,
 * replacing the saved ones), then `onSaved` with what the server kept (`S`, the route's answer)
 * and a toast, or the refusal shown on its field. `busy` while it runs.
 */
export function useSettingsSave<B, S, V>(
  form: FormInstance<V>,
  put: (settings: B) => Promise<{ settings: S }>,
  saveError: ReturnType<typeof useSaveError>,
  onSaved: (settings: S) => void,
) {
  const { t } = useT();
  const { busy, submit } = useFormSubmit(form, saveError);
  const save = (build: (values: V) => B) =>
    submit(async (values) => {
      const r = await put(build(values));
      onSaved(r.settings);
      toast.success(t.saved);
    });
  return { busy, save };
}

/** The alert above a settings form's save button: "field：message". */
export function SaveErrorAlert(props: { error: SaveError | null; testId: string }) {
  if (!props.error) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid={props.testId}
      message={`${props.error.label}：${props.error.message}`}
    />
  );
}
