// Two chart.js plugins the results charts use: each bar's total at its end (a 2 B bar
// is invisible, its label is not), and a dashed target line with its words.

/**
 * @param {() => string} fontFamily
 * @param {(size: number) => number} px the kit's font scale
 * @param {(text: string, maxWidth: number, font: object) => string[]} wrap
 */
export function plugins(fontFamily, px, wrap) {
  const totals = {
    id: 'barTotals',
    afterDatasetsDraw(chart, _args, options) {
      if (!options?.enabled) return;
      const { ctx } = chart;
      const horizontal = chart.options.indexAxis === 'y';
      const visible = chart.data.datasets.map((_, i) => i).filter((i) => chart.isDatasetVisible(i));
      if (!visible.length) return;
      ctx.save();
      ctx.fillStyle = '#000';
      ctx.font = `bold ${px(options.fontSize || 18)}px ${fontFamily()}`;
      ctx.textBaseline = horizontal ? 'middle' : 'bottom';
      ctx.textAlign = horizontal ? 'left' : 'center';
      const write = (text, element) => {
        if (horizontal) ctx.fillText(text, element.x + 6, element.y);
        else ctx.fillText(text, element.x, element.y - 4);
      };
      if (options.perBar) {
        // Grouped bars: each bar carries its own value, where upright bars leave room for it
        // (on a phone the figures would overlap; the table under the chart has them).
        const across = (chart.chartArea.right - chart.chartArea.left) / (visible.length * chart.data.labels.length);
        if (!horizontal && across < (options.minBarPx ?? 30)) {
          ctx.restore();
          return;
        }
        for (const d of visible) {
          chart.getDatasetMeta(d).data.forEach((element, index) => {
            const value = chart.data.datasets[d].data[index];
            if (typeof value === 'number' && Number.isFinite(value))
              write(options.format ? options.format(value, index, d) : String(value), element);
          });
        }
      } else {
        // Stacked bars: the sum of the visible parts, at the far end of the stack.
        chart.data.labels.forEach((_, index) => {
          let total = 0;
          let far = null;
          for (const d of visible) {
            const value = chart.data.datasets[d].data[index];
            if (typeof value === 'number' && Number.isFinite(value)) total += value;
            const element = chart.getDatasetMeta(d).data[index];
            if (!element) continue;
            if (far === null || (horizontal ? element.x > far.x : element.y < far.y)) far = element;
          }
          if (far) write(options.format ? options.format(total, index) : String(total), far);
        });
      }
      ctx.restore();
    },
  };

  const target = {
    id: 'targetLine',
    afterDatasetsDraw(chart, _args, options) {
      if (!options || options.value === undefined || options.value === null) return;
      const axis = options.axis || 'y';
      const scale = chart.scales[axis];
      if (!scale) return;
      const at = scale.getPixelForValue(options.value);
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 3;
      ctx.setLineDash([10, 6]);
      ctx.beginPath();
      if (axis === 'y') {
        ctx.moveTo(chartArea.left, at);
        ctx.lineTo(chartArea.right, at);
      } else {
        ctx.moveTo(at, chartArea.top);
        ctx.lineTo(at, chartArea.bottom);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#000';
      ctx.font = `bold ${px(18)}px ${fontFamily()}`;
      const text = wrap(options.text, chartArea.right - chartArea.left - 12, { size: px(18), weight: 'bold' })[0];
      if (axis === 'y') {
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        ctx.fillText(text, chartArea.right - 6, at - 4);
      } else {
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.fillText(text, at + 6, chartArea.top + 4);
      }
      ctx.restore();
    },
  };
  return [totals, target];
}
