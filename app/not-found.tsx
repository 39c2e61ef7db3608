import { useTranslations } from "next-intl";
import Link from "next/link";

export default function NotFound() {
  const t = useTranslations("errors");
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-4 px-6 text-center">
      <p className="text-sm font-medium tracking-widest text-sky-700 uppercase">404</p>
      <h1 className="text-2xl font-semibold tracking-tight">{t("pageNotFound")}</h1>
      <p className="text-slate-600 dark:text-slate-400">{t("nothingHere")}</p>
      <Link
        href="/"
        className="rounded-md bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
      >
        {t("backToNimbox")}
      </Link>
    </main>
  );
}
