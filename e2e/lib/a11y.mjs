// Accessibility and touch checks for the audit suite (issue 14): axe-core from
// npm, injected into the page, and a measurer of tap targets.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** Impacts that fail a screen. */
export const FAILING_IMPACTS = ['serious', 'critical'];

/**
 * Runs axe-core on the page as it is now and returns its serious and critical
 * violations, one line each: "rule (impact): target, target — help". The
 * context needs bypassCSP: true (axe is added as a script tag, which the
 * app's CSP forbids).
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return result
    .filter((v) => FAILING_IMPACTS.includes(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.targets.slice(0, 6).join(', ')}${v.targets.length > 6 ? ` … ${v.targets.length} in all` : ''} — ${v.help}`);
}

/** axeCheck(u, screen): throws, listing rule id, impact and targets, on any serious or critical violation. */
export async function axeCheck(u, screen) {
  const v = await axeViolations(u.page);
  if (v.length) throw new Error(`axe-core at ${u.vp.name} on ${screen}: ${v.length} serious/critical violation(s):\n  ${v.join('\n  ')}`);
}

/**
 * Every visible control smaller than min×min CSS px: links, buttons, inputs,
 * selects, textareas, summaries and [role=button|tab|link|option|switch|checkbox|radio]
 * or tabbable elements. Exempt: inline text links inside running text (a link
 * whose block holds more text than the link itself — WCAG 2.5.8's inline
 * exception), and a visually hidden control (under 2 px, like a styled radio)
 * whose label is measured instead; a checkbox or radio counts its label's box
 * too. Returns one line per offender: `<tag testid class> "text" W×H`.
 */
export async function smallTapTargets(page, min = 44) {
  return page.evaluate((min) => {
    const SEL =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="tab"], [role="link"], [role="option"], [role="switch"], [role="checkbox"], [role="radio"], [tabindex]:not([tabindex="-1"])';
    const BLOCK = /^(block|flex|grid|list-item|table|table-cell|flow-root)$/;
    const out = [];
    const seen = new Set();
    const labelOf = (el) => el.closest('label') || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
    const describe = (el, r) => {
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim().slice(0, 24);
      return `<${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${cls}> "${text}" ${Math.round(r.width)}×${Math.round(r.height)}`;
    };
    for (const el of document.querySelectorAll(SEL)) {
      if (!el.checkVisibility({ opacityProperty: false, visibilityProperty: true })) continue;
      if (el.closest('[aria-hidden="true"], [inert]')) continue;
      let target = el;
      let r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (el.matches('.skip-link, .sr-only') && (r.right <= 0 || r.bottom <= 0 || r.width <= 2)) continue; // shown on focus only
      const kind = el.getAttribute('type');
      if (el.tagName === 'INPUT' && (kind === 'checkbox' || kind === 'radio' || r.width <= 2 || r.height <= 2)) {
        const label = labelOf(el);
        if (label) {
          const lr = label.getBoundingClientRect();
          target = label;
          r = { width: Math.max(r.width, lr.width), height: Math.max(r.height, lr.height) };
        } else if (r.width <= 2 || r.height <= 2) continue;
      }
      if (el.tagName === 'LABEL' || seen.has(target)) continue;
      seen.add(target);
      if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') {
        let block = el.parentElement;
        while (block && !BLOCK.test(getComputedStyle(block).display)) block = block.parentElement;
        const own = (el.textContent || '').trim().length;
        const around = (block?.textContent || '').trim().length;
        if (around > own + 1) continue; // a link in running text
      }
      if (r.width < min - 0.5 || r.height < min - 0.5) out.push(describe(el, r));
    }
    return out;
  }, min);
}
