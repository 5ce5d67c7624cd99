#!/usr/bin/env node
// Screenshots of the real dashboard for the landing page (pages/index/dashboard-*.png), light and
// dark: a demo account on a running server (BASE_URL, default http://localhost:3000), a few
// made-up logins imported through the import page, then the vault as its owner sees it.
//   npm start & node scripts/landing-screenshots.mjs
import { chromium } from '@playwright/test'
import { randomBytes } from 'node:crypto'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { findChromium } from './chromium.mjs'

const BASE = process.env.BASE_URL ?? 'http://localhost:3000'
const DEMO = [
  ['Work', 'GitHub', 'https://github.com', 'ada@example.com', 'k8#Vq2!mZr4@Lp9x'],
  ['Work', 'Linear', 'https://linear.app', 'ada@example.com', 'correct-horse-battery-staple-42'],
  ['Work', 'AWS console', 'https://console.aws.amazon.com', 'ada.admin', 'Tz!9wQ#4mN$2vB7k'],
  ['Personal', 'Bank of Example', 'https://bank.example', 'ada1815', 'Velvet-Orbit-Canyon-19'],
  ['Personal', 'Mastodon', 'https://mastodon.social', 'ada@example.com', 'summer2024'],
  ['Personal', 'Netflix', 'https://netflix.com', 'ada@example.com', 'summer2024'],
  ['Personal', 'Proton Mail', 'https://proton.me', 'ada@proton.me', 'Fjord-Lantern-Maple-77'],
  ['Family', 'Home Wi-Fi', '', 'router admin', 'hK3$vP9!qL2@wZ8m'],
  ['Family', 'Electricity', 'https://power.example', 'lovelace.family', 'Quiet-River-Stone-31'],
  ['Family', 'School portal', 'https://school.example', 'parent-4821', 'qwerty123'],
]
const csv = ['folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp']
  .concat(DEMO.map(([folder, name, url, user, password]) => [folder, '', 'login', name, '', '', '0', url, user, password, ''].join(',')))
  .join('\n')

const browser = await chromium.launch({ executablePath: (await findChromium()).path })
const context = await browser.newContext({ viewport: { width: 1200, height: 720 } })
const page = await context.newPage()
const password = `Demo-${randomBytes(8).toString('hex')}-Lantern`
await page.goto(`${BASE}/register`)
await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace')
await page.getByLabel('Email', { exact: true }).fill(`ada-${randomBytes(4).toString('hex')}@example.com`)
await page.getByLabel('Master password', { exact: true }).fill(password)
await page.getByLabel('Repeat master password', { exact: true }).fill(password)
await page.getByRole('button', { name: 'Create account' }).click()
await page.waitForURL(/recovery-code/, { timeout: 15000 }).catch(async () => { await page.screenshot({ path: '/tmp/shots/reg-fail.png' }); throw new Error('registration failed') })
await page.getByLabel('I have saved my recovery code').check()
await page.getByRole('button', { name: 'Open my vault' }).click()
await page.waitForURL(/\/dashboard$/)
// Verified, as a vault in use would be: the link from the newest mail of `npm start` (.data/mail).
const MAIL = '.data/mail'
const newest = readdirSync(MAIL).map((f) => path.join(MAIL, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
const mail = readFileSync(newest, 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '=')
await page.goto(/https?:\/\/\S*?(\/verify\?token=[\w.-]+)/.exec(mail)[1].replace(/^/, BASE))
await page.goto(`${BASE}/dashboard/import`)
await page.locator('input[type=file]').setInputFiles({ name: 'demo.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
await page.getByRole('button', { name: 'Import' }).click()
await page.waitForURL(/\/dashboard\/import\/result/)
await page.goto(`${BASE}/dashboard`)
for (const name of ['GitHub', 'Bank of Example']) {
  await page.getByRole('button', { name: `Star ${name}` }).click()
  await page.getByRole('button', { name: `Unstar ${name}` }).waitFor()
}
for (const scheme of ['light', 'dark']) {
  await page.emulateMedia({ colorScheme: scheme })
  await page.goto(`${BASE}/dashboard`)
  await page.mouse.move(0, 0)
  await page.screenshot({ path: `pages/index/dashboard-${scheme}.png` })
}
await browser.close()
console.log('wrote pages/index/dashboard-light.png and dashboard-dark.png')
