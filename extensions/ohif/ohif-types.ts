/**
 * The part of OHIF v3's extension API this extension uses, typed locally (`@ohif/core` is a peer
 * dependency that is not installed here): the names and shapes follow OHIF 3.x
 * (platform/core/src/extensions/ExtensionManager.ts, the cornerstone extension's services and the
 * documented toolbar/panel/commands modules). Only members we call are listed.
 */
import type { Types } from '@cornerstonejs/core';
import type { ComponentLike } from './react-types.ts';

/** OHIF's CornerstoneViewportService, as far as we call it. */
export interface CornerstoneViewportServiceLike {
  /** The Cornerstone3D viewport shown in an OHIF viewport (undefined when not (yet) enabled). */
  getCornerstoneViewport(viewportId: string): Types.IViewport | undefined | null;
}

/** OHIF's ViewportGridService, as far as we call it. */
export interface ViewportGridServiceLike {
  getActiveViewportId(): string | undefined | null;
}

/** OHIF's UINotificationService (optional: errors are also dispatched as `sr-error`). */
export interface UiNotificationServiceLike {
  show(options: { title: string; message: string; type?: 'error' | 'warning' | 'info' | 'success' }): void;
}

/** OHIF's ToolbarService (optional: we ask it to re-evaluate the buttons after a toggle). */
export interface ToolbarServiceLike {
  refreshToolbarState?(options?: Record<string, unknown>): void;
}

/** The services we look up on `servicesManager.services`. */
export interface OhifServicesLike {
  cornerstoneViewportService?: CornerstoneViewportServiceLike;
  viewportGridService?: ViewportGridServiceLike;
  uiNotificationService?: UiNotificationServiceLike;
  toolbarService?: ToolbarServiceLike;
}

/** OHIF's ServicesManager. */
export interface ServicesManagerLike {
  services: OhifServicesLike;
}

/** OHIF's CommandsManager, as far as we call it. */
export interface CommandsManagerLike {
  runCommand(name: string, options?: Record<string, unknown>, context?: string): unknown;
}

/** What OHIF passes to preRegistration and the get*Module functions. */
export interface ExtensionParamsLike {
  servicesManager: ServicesManagerLike;
  commandsManager: CommandsManagerLike;
  configuration?: Record<string, unknown>;
}

/** One command of a commands module. */
export interface CommandDefinition {
  commandFn: (options: Record<string, unknown>) => unknown;
  options?: Record<string, unknown>;
  context?: string;
}

/** A commands module (`getCommandsModule`). */
export interface CommandsModuleLike {
  actions: Record<string, (options: Record<string, unknown>) => unknown>;
  definitions: Record<string, CommandDefinition>;
  defaultContext: string;
}

/** What a toolbar evaluator receives and returns (OHIF 3.9+ toolbar state). */
export interface EvaluateArgs {
  viewportId?: string;
  button?: { id: string };
  itemId?: string;
}
/** Toolbar button state returned by an evaluator. */
export interface EvaluateResult {
  disabled: boolean;
  isActive?: boolean;
  disabledText?: string;
}

/** A toolbar module entry: an evaluator registered under `name`. */
export interface ToolbarModuleEntry {
  name: string;
  evaluate: (args: EvaluateArgs) => EvaluateResult;
}

/** A button definition as modes hand them to `toolbarService.register` (OHIF 3.9+ object form). */
export interface ToolbarButtonDefinition {
  id: string;
  uiType: 'ohif.toolButton';
  props: {
    icon: string;
    label: string;
    tooltip: string;
    commands: string | { commandName: string; commandOptions?: Record<string, unknown>; context?: string };
    evaluate: string | Array<string | { name: string; [key: string]: unknown }>;
  };
}

/** A panel module entry (`getPanelModule`). */
export interface PanelModuleEntry {
  name: string;
  iconName: string;
  iconLabel: string;
  label: string;
  component: ComponentLike<Record<string, unknown>>;
}

/** The extension object OHIF registers (platform/core ExtensionManager's `Extension`). */
export interface OhifExtensionLike {
  id: string;
  preRegistration(params: ExtensionParamsLike): Promise<void>;
  getCommandsModule(params: ExtensionParamsLike): CommandsModuleLike;
  getToolbarModule(params: ExtensionParamsLike): ToolbarModuleEntry[];
  getPanelModule(params: ExtensionParamsLike): PanelModuleEntry[];
  onModeExit?(): void;
}
