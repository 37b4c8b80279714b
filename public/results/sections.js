// The results page's sections, in page order: each names its heading's id (the table
// of contents and the language switch link to it), its words (results-i18n.json:
// h.<id> the heading, nav.<id> the contents entry, explain.<id> an optional lead
// paragraph) and its blocks, built once the run is loaded.
//
// To add a section: write a module beside this one whose functions return blocks
// (blocks.js: chartBlock for a chart with its controls, htmlBlock for a table or a
// paragraph), add one entry below, and add its words in both languages.
import { explainBlock, headingBlock, htmlBlock } from './blocks.js';
import { clusterCpuChart, clusterLatencyChart, clusterPollsChart, renderClusterProblems, renderHeadlineCluster } from './cluster.js';
import { capacityLatencyChart, heldChart, memoryChart, renderAutocannon, renderRequestsTable } from './connections.js';
import { frameworkChart } from './framework.js';
import { h2NativeChart, h2SplitChart } from './h2-native.js';
import { kaazingChart, renderKaazingTable } from './kaazing.js';
import { fanoutChart, latencyIdleChart, rttChart } from './latency.js';
import { librariesChart } from './libraries.js';
import { lossChart } from './loss.js';
import { amortisedChart, overheadChart, shortPollLatencyChart, shortPollOverheadChart } from './overhead.js';
import { h2HeadsChart, renderProtocolsTable, wiresFanoutChart, wiresLatencyChart, wiresOverheadChart, wiresRttChart } from './protocols.js';
import { R } from './run.js';
import { renderEnvironment, renderHeadline, renderTargets } from './summary.js';
import { renderTlsTable, tlsRecordsChart, wiresCpuChart } from './tls.js';

/** @typedef {import('./blocks.js').Block} Block */
/** @typedef {{ id: string, explain?: boolean, blocks: () => Block[] }} Section */

const tableWrap = (render) => htmlBlock('div', { class: 'table-wrap' }, render);

/** @type {Section[]} */
export const SECTIONS = [
  {
    id: 'headline',
    explain: true,
    blocks: () => [tableWrap(renderHeadline), htmlBlock('p', { class: 'explain', id: 'headline-cluster' }, renderHeadlineCluster)],
  },
  // The five an instructor projects, first: bytes per event, latency idle and under load,
  // what HTTP/2 changes, and how many clients one process holds.
  { id: 'lead', explain: true, blocks: () => [overheadChart(), latencyIdleChart(), fanoutChart(), wiresOverheadChart(), heldChart()] },
  { id: 'overhead', blocks: () => [amortisedChart(), shortPollOverheadChart(), shortPollLatencyChart()] },
  { id: 'latency', blocks: () => [rttChart()] },
  {
    id: 'protocols',
    explain: true,
    blocks: () => [
      tableWrap(renderProtocolsTable),
      h2HeadsChart(),
      wiresLatencyChart(),
      wiresFanoutChart(),
      wiresRttChart(),
      headingBlock('tls-title', 'h.tls'),
      wiresCpuChart(),
      tlsRecordsChart(),
      tableWrap(renderTlsTable),
    ],
  },
  { id: 'h2native', explain: true, blocks: () => [h2SplitChart(), h2NativeChart()] },
  { id: 'loss', explain: true, blocks: () => [lossChart()] },
  {
    id: 'connections',
    blocks: () => [
      memoryChart(),
      capacityLatencyChart(),
      tableWrap(renderRequestsTable),
      htmlBlock('p', { class: 'explain', id: 'autocannon-text' }, renderAutocannon),
    ],
  },
  { id: 'kaazing', blocks: () => [kaazingChart(), tableWrap(renderKaazingTable)] },
  { id: 'framework', blocks: () => [frameworkChart()] },
  { id: 'libraries', explain: true, blocks: () => [librariesChart()] },
  {
    id: 'cluster',
    explain: true,
    blocks: () => [
      htmlBlock('div', { class: 'problem', id: 'cluster-problems', role: 'alert' }, renderClusterProblems),
      clusterLatencyChart(),
      clusterCpuChart(),
      clusterPollsChart(),
    ],
  },
  { id: 'targets', explain: true, blocks: () => [quickOnly('targets.quickExplain'), tableWrap(renderTargets)] },
  { id: 'environment', blocks: () => [htmlBlock('div', {}, renderEnvironment)] },
];

/** A paragraph shown only for a quick run. @returns {Block} */
function quickOnly(key) {
  const { element } = explainBlock(key);
  element.classList.add('quick-mark');
  return { element, render: () => (element.hidden = !R.quick) };
}
