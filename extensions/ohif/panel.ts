/**
 * The right panel: the existing Lit elements `<sr-enhance-control>` (model, variant with the
 * perceptual warning that must be acknowledged, backend, on/off), `<sr-progress>` and
 * `<sr-provenance>`, bound (`for=`) to the runtime's host element, which speaks for the active
 * enhanced viewport. Rendered with the host's React through createElement: no JSX build step.
 */
import { HOST_ID, PANEL_NAME } from './ids.ts';
import type { PanelModuleEntry } from './ohif-types.ts';
import type { ReactLike, ReactNodeLike } from './react-types.ts';
import type { TilesrOhifRuntime } from './runtime.ts';

/** Registers the Lit elements (imported on first mount: they need a DOM, the Node tests have none). */
export async function loadElements(): Promise<void> {
  await Promise.all([
    import('../../plugin/components/sr-enhance-control/sr-enhance-control.ts'),
    import('../../plugin/components/sr-progress/sr-progress.ts'),
    import('../../plugin/components/sr-provenance/sr-provenance.ts'),
  ]);
}

const TAGS = ['sr-enhance-control', 'sr-progress', 'sr-provenance'] as const;

/** The panel component, bound to `runtime()` (the extension's runtime once preRegistration ran). */
export function createTilesrPanel(React: ReactLike, runtime: () => TilesrOhifRuntime | undefined) {
  return function TilesrPanel(): ReactNodeLike {
    const root = React.useRef<HTMLDivElement | null>(null);
    React.useEffect(() => {
      let mounted = true;
      const r = runtime();
      r?.host(); // before the elements bind, so they find it at once
      void (async () => {
        await loadElements();
        const els = TAGS.map((t) => root.current?.querySelector(t)).filter((e) => !!e);
        await Promise.all(
          els.map((e) => (e as Element & { updateComplete?: Promise<unknown> }).updateComplete),
        );
        // a panel opened after tiles arrived shows the current progress and provenance
        if (mounted) r?.replayEvents();
      })();
      return () => {
        mounted = false;
      };
    }, []);
    const r = runtime();
    if (!r)
      return React.createElement(
        'div',
        { className: 'tilesr-ohif-panel' },
        'tilesr: the extension is not registered',
      );
    return React.createElement(
      'div',
      {
        ref: root,
        className: 'tilesr-ohif-panel',
        // the Lit elements' text colour, readable on OHIF's dark panels
        style: { padding: '8px', display: 'grid', gap: '8px', '--sr-fg': '#d8e0ea' },
      },
      React.createElement('sr-enhance-control', { for: HOST_ID }),
      React.createElement('sr-progress', { for: HOST_ID }),
      React.createElement('sr-provenance', { for: HOST_ID }),
    );
  };
}

/** The panel module: one panel, listed by a mode as `${EXTENSION_ID}.panelModule.tilesr`. */
export function panelModule(
  React: ReactLike,
  runtime: () => TilesrOhifRuntime | undefined,
): PanelModuleEntry[] {
  return [
    {
      name: PANEL_NAME,
      iconName: 'tab-linear',
      iconLabel: 'AI enhance',
      label: 'AI enhancement',
      component: createTilesrPanel(React, runtime),
    },
  ];
}
