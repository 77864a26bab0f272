import { Segmented } from 'antd';
import { useT, type Lang } from './i18n';

/** 中文 / English. */
export function LangSwitch() {
  const { lang, setLang } = useT();
  return (
    <Segmented
      size="small"
      value={lang}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'EN', value: 'en' },
      ]}
      onChange={(v) => setLang(v as Lang)}
    />
  );
}
