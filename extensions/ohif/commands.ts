/** The commands module: enhancement on/off per viewport (default: the active one), and Cancel. */
import { COMMANDS } from './ids.ts';
import type { CommandsModuleLike } from './ohif-types.ts';
import type { TilesrOhifRuntime } from './runtime.ts';

/** Commands bound to `runtime()` (undefined before preRegistration: the commands do nothing). */
export function commandsModule(runtime: () => TilesrOhifRuntime | undefined): CommandsModuleLike {
  const actions = {
    [COMMANDS.toggle]: (o: Record<string, unknown>) => runtime()?.toggle(o['viewportId']) ?? false,
    [COMMANDS.set]: (o: Record<string, unknown>) =>
      runtime()?.setEnabled(o['viewportId'], o['enabled'] !== false) ?? false,
    [COMMANDS.cancel]: () => runtime()?.cancel(),
  };
  return {
    actions,
    definitions: Object.fromEntries(
      Object.entries(actions).map(([name, commandFn]) => [name, { commandFn }]),
    ),
    // the cornerstone extension's context: our commands act on Cornerstone3D viewports
    defaultContext: 'CORNERSTONE',
  };
}
