#!/usr/bin/env node
// Screenshots of the main pages (light, dark, phone) for a human to look at:
//   BASE_URL=http://localhost:3000 EMAIL=... PASSWORD=... node scripts/screenshots.mjs [outDir]
import { chromium } from '@playwright/test'
import { mkdirSync } from 'node:fs'

const base = process.env.BASE_URL ?? 'http://localhost:3000'
const out = process.argv[2] ?? 'test-results/screenshots'
mkdirSync(out, { recursive: true })
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
const pages = (process.env.PAGES ?? '/,/login,/register,/dashboard').split(',')
for (const [name, opts] of [
  ['light', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }],
  ['dark', { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' }],
  ['phone', { viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true }],
]) {
  const context = await browser.newContext(opts)
  const page = await context.newPage()
  if (process.env.EMAIL) {
    await page.goto(`${base}/login`)
    await page.getByLabel('Email').fill(process.env.EMAIL)
    await page.getByLabel('Master password').fill(process.env.PASSWORD)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(/dashboard/)
  }
  for (const path of pages) {
    await page.goto(base + path)
    const file = `${out}/${name}${path.replace(/[^\w]+/g, '_') || '_root'}.png`
    await page.screenshot({ path: file, fullPage: true })
    console.log(file)
  }
  await context.close()
}
await browser.close()
