import { useTranslations } from 'next-intl';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { AdapterView, PromiscModePolicy } from '@/lib/hooks/use-vm-network';

type Attachment = AdapterView['attachmentType'];

/** A translator of the `vmNetwork` namespace (useTranslations('vmNetwork')). */
export type NetworkT = ReturnType<typeof useTranslations<'vmNetwork'>>;

/** Attachment kinds as people say them: `vmNetwork`'s `attachment.<kind>`. */
export const attachmentKey = (kind: Attachment) => `attachment.${kind}`;

/** The promiscuous-mode policies in the order the select offers them; words in `vmNetwork`'s `promisc.<policy>`. */
export const PROMISC_POLICIES: readonly PromiscModePolicy[] = ['Deny', 'AllowNetwork', 'AllowAll'];

const TONE: Record<Attachment, BadgeTone> = {
  Null: 'grey',
  NAT: 'sky',
  NATNetwork: 'sky',
  Bridged: 'blue',
  Internal: 'amber',
  HostOnly: 'amber',
  Generic: 'grey',
  Cloud: 'grey',
  HostOnlyNetwork: 'amber',
};

/** The name an attachment is to (the bridged interface, the internal network, …), or ''. */
export function attachmentName(a: Pick<AdapterView, 'attachmentType' | 'bridgedInterface' | 'hostOnlyInterface' | 'internalNetwork' | 'natNetwork' | 'genericDriver'>): string {
  switch (a.attachmentType) {
    case 'Bridged':
      return a.bridgedInterface;
    case 'HostOnly':
      return a.hostOnlyInterface;
    case 'Internal':
      return a.internalNetwork;
    case 'NATNetwork':
      return a.natNetwork;
    case 'Generic':
      return a.genericDriver;
    default:
      return '';
  }
}

/** What an adapter is attached to: its cluster network by name, else the kind and its name ("Bridged → vbox0"). */
export function AttachmentBadge({ adapter: a }: { adapter: AdapterView }) {
  const t = useTranslations('vmNetwork');
  const kind = t(attachmentKey(a.attachmentType));
  const name = attachmentName(a);
  if (a.network) {
    return (
      <Badge tone="violet" title={name ? t('clusterNetworkTitleNamed', { network: a.network, kind, name }) : t('clusterNetworkTitle', { network: a.network, kind })}>
        {a.network}
      </Badge>
    );
  }
  return <Badge tone={TONE[a.attachmentType]}>{name ? t('attachedArrow', { kind, name }) : kind}</Badge>;
}

/** VirtualBox gives MACs as 12 hex digits; show them as 08:00:27:…. */
export function formatMac(mac: string): string {
  return /^[0-9A-Fa-f]{12}$/.test(mac) ? mac.match(/../g)!.join(':') : mac || '—';
}

/** A MAC as typed (with or without separators) as VirtualBox takes it: 12 hex digits, upper case; null if it is not one. */
export function macIn(text: string): string | null {
  const hex = text.replace(/[:\-.\s]/g, '').toUpperCase();
  return /^[0-9A-F]{12}$/.test(hex) ? hex : null;
}

/** The cable: a plug icon and the word. */
export function CableState({ connected }: { connected: boolean }) {
  const t = useTranslations('vmNetwork');
  return (
    <span className={connected ? 'inline-flex items-center gap-1.5' : 'inline-flex items-center gap-1.5 text-amber-700 dark:text-amber-400'}>
      <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
        {connected ? (
          <path d="M2 8h4M10 8h4M6 5.5h4v5H6z" />
        ) : (
          <path d="M2 8h3M11 8h3M5 5.5h2v5H5zM9 5.5h2v5H9zM3 13l10-10" />
        )}
      </svg>
      {connected ? t('cable.connected') : t('cable.unplugged')}
    </span>
  );
}

/** Adapter types in a table cell (the full name in the dialog and the cell's title). */
export const ADAPTER_SHORT: Record<string, string> = {
  I82545EM: 'Intel 82545EM',
  I82540EM: 'Intel 82540EM',
  I82543GC: 'Intel 82543GC',
  Virtio: 'virtio-net',
  Am79C973: 'PCnet-FAST III',
  Am79C970A: 'PCnet-PCI II',
  Am79C960: 'PCnet-ISA',
};

/** Boot priority as the select shows it. */
export const bootPriorityLabel = (t: NetworkT, p: number) => (p === 0 ? t('bootPriority.default') : p === 1 ? t('bootPriority.highest') : p === 4 ? t('bootPriority.lowest') : String(p));

/** VirtualBox's NetworkAdapterType as people know it ("Intel PRO/1000 MT Desktop (82540EM)"), else its enum name. */
export function adapterTypeLabel(t: NetworkT, type: string): string {
  return t.has(`adapterType.${type}`) ? t(`adapterType.${type}`) : type;
}
