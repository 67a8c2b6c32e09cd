/** A short "Browser on OS" for a User-Agent string; the raw string stays available as a tooltip. */
const BROWSERS: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/(Chromium|HeadlessChrome)\//, 'Chromium'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/^curl\//, 'curl'],
  [/^Go-http-client\//, 'Go'],
]

const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
]

export function describeUserAgent(ua: string | null | undefined): { browser: string | null; os: string | null } {
  const value = ua ?? ''
  return {
    browser: BROWSERS.find(([re]) => re.test(value))?.[1] ?? null,
    os: SYSTEMS.find(([re]) => re.test(value))?.[1] ?? null,
  }
}
