/**
 * How a page picks its language: one rule for every page the lab builds, the
 * cluster's page at /cluster/ among them (it once had a copy of its own that read
 * only the first language a browser names; cluster.test.ts asks it through nginx).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseLang, langCookie } from './i18n.ts';

test('?lang= first, then the cookie, then the first of en or zh the browser names', () => {
  assert.equal(chooseLang('zh', { cookie: 'lang=en', 'accept-language': 'en' }), 'zh');
  assert.equal(chooseLang('fr', { cookie: 'lang=zh' }), 'zh', 'a language the lab lacks is not asked for');
  assert.equal(chooseLang(undefined, { 'accept-language': 'fr-FR, zh-CN;q=0.8, en;q=0.5' }), 'zh', 'French first, then Chinese');
  assert.equal(chooseLang(undefined, { 'accept-language': 'de, en-GB, zh' }), 'en');
  assert.equal(chooseLang(undefined, {}), 'en');
  assert.equal(langCookie('zh'), 'lang=zh; Path=/; Max-Age=31536000; SameSite=Lax');
  assert.equal(langCookie('fr'), undefined);
});
