// Secrets the tests send to the servers, which must never appear in the servers' output.
// scripts/test.mjs captures that output and, after the suite, greps it for every string literal
// exported here (plus the shared test passwords and anything shaped like a recovery code).
// Keep them plain single-quoted literals: test.mjs reads this file as text.
export const CANARY_ITEM_PASSWORD = 'canary-item-pw Qz7 fennel glacier'
export const CANARY_ITEM_NOTE = 'canary note: the spare key is under the blue flowerpot'
export const CANARY_WRONG_PASSWORD = 'canary wrong password 913 maple'
// The password of users seeded through the services (tests/helpers/context.ts) and then logged
// in over HTTP.
export const SEED_PASSWORD = 'correct horse battery staple'
// The default password of itemFields() (tests/helpers/context.ts), which many HTTP tests post.
export const ITEM_PASSWORD = 'quartz lantern mosaic orbit velvet'
