// Opens a spacecheck HTML grading report in headless Chromium (Debian's `chromium`) and checks
// what a person would: the page renders with no console error and makes no network request,
// its table holds every row, sorting and filtering work. Takes a screenshot.
//
//   node check_report.mjs REPORT.html SCREENSHOT.png EXPECTED_ROWS
//
// Prints one JSON line of what it saw; exits 1 with the reasons when a check fails.
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [report, screenshot, expectedRows] = process.argv.slice(2);
const url = pathToFileURL(report).href;
const failures = [];
const consoleErrors = [];
const requests = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // As root on a closed network: no sandbox, and none of Chromium's own background traffic.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  await page.goto(url, { waitUntil: 'load' });

  const rows = await page.$$eval('#spaces tbody tr', (trs) => trs.length);
  if (rows !== Number(expectedRows)) failures.push(`the table has ${rows} rows, not ${expectedRows}`);

  const column = (index) => page.$$eval('#spaces tbody tr',
    (trs, i) => trs.map((tr) => tr.cells[i].textContent.trim()), index);
  const isSorted = (values, compare) => values.every((v, i) => i === 0 || compare(values[i - 1], v) <= 0);
  const byText = (a, b) => a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;

  // Opened: in roster order, whatever order the rows were written in.
  const opened = (await column(0)).map(Number);
  if (!isSorted(opened, (a, b) => a - b)) failures.push(`the page opens with rows ${opened.join(', ')}`);

  // Sort by Space (ascending, then descending), then by Row (numeric).
  await page.click('th:has-text("Space")');
  const ascending = await column(1);
  if (!isSorted(ascending, byText)) failures.push(`sorting by Space ascending gave ${ascending.join(', ')}`);
  await page.click('th:has-text("Space")');
  const descending = await column(1);
  if (!isSorted(descending.slice().reverse(), byText)) failures.push(`descending gave ${descending.join(', ')}`);
  await page.click('th:has-text("Row")');
  await page.click('th:has-text("Row")');
  const numbers = (await column(0)).map(Number);
  if (!isSorted(numbers.slice().reverse(), (a, b) => a - b)) failures.push(`sorting by Row gave ${numbers.join(', ')}`);
  await page.click('th:has-text("Row")');

  // Filter: only failing rows, then a text.
  await page.selectOption('#result', 'fail');
  const shownFailing = await page.$$eval('#spaces tbody tr:not([hidden])', (trs) => trs.map((tr) => tr.className));
  if (shownFailing.length === 0 || shownFailing.some((c) => c !== 'fail')) {
    failures.push(`the "fail" filter shows ${JSON.stringify(shownFailing)}`);
  }
  await page.selectOption('#result', '');
  await page.fill('#filter', 'no-such-text-anywhere');
  const shownNone = await page.$$eval('#spaces tbody tr:not([hidden])', (trs) => trs.length);
  if (shownNone !== 0) failures.push(`a text found nowhere still shows ${shownNone} rows`);
  await page.fill('#filter', '');

  // The chart is drawn inline.
  const bars = await page.$$eval('svg rect.bar', (rects) => rects.length);
  await page.screenshot({ path: screenshot, fullPage: true });

  if (consoleErrors.length) failures.push(`console errors: ${consoleErrors.join(' | ')}`);
  if (requests.length) failures.push(`network requests: ${requests.join(' ')}`);
  console.log(JSON.stringify({ rows, bars, consoleErrors, requests, failures }));
} finally {
  await browser.close();
}
process.exit(failures.length ? 1 : 0);
