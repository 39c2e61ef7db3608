/**
 * A template is a powered-off machine marked by its extradata `nimbox/template` = `1` on every host it
 * is registered on: the mark travels with the machine (and shows in `VBoxManage getextradata`), like its
 * tenant. Kept apart from lib/templates/index.ts so that lib/cluster/host-monitor can read it without a cycle.
 */
export const TEMPLATE_KEY = 'nimbox/template';

/** The extradata value that marks a template (VirtualBox removes a key set to ''). */
export const TEMPLATE_VALUE = '1';

export const isTemplateValue = (value: string | null | undefined): boolean => value === TEMPLATE_VALUE;
