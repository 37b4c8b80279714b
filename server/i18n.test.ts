/**
 * How a page picks its language: the same rule for the lab's pages and the
 * cluster's control page (which once had a copy of its own that read only the
 * first language a browser names).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickLang } from './cluster/control-page.ts';
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

test('the cluster\'s control page picks as the lab\'s pages do', () => {
  const headers = { 'accept-language': 'fr, zh-CN' };
  assert.equal(pickLang('/cluster/', headers), chooseLang(undefined, headers));
  assert.equal(pickLang('/cluster/', headers), 'zh');
  assert.equal(pickLang('/cluster/?lang=en', headers), 'en');
});
