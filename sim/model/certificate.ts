/**
 * ICertificate (CertificateImpl.cpp): the X.509 certificate that signed an appliance, as
 * IAppliance::read found it in the .cert file (ApplianceImplImport.cpp i_readSignatureFile,
 * i_readTailProcessing): the manifest's signed digest, checked against the manifest, and the signer.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { bare, fail, type ManagedObject } from './base';

const OIDS: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'S', '2.5.4.5': 'SN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.12': 'T', '2.5.4.42': 'G', '2.5.4.43': 'I', '1.2.840.113549.1.9.1': 'Email',
};
const RSA_OID = '1.2.840.113549.1.1.1';

/** One DER TLV. */
interface Der { tag: number; start: number; header: number; len: number; buf: Buffer }
function der(buf: Buffer, at = 0): Der {
  const tag = buf[at];
  let len = buf[at + 1];
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i];
    header += n;
  }
  return { tag, start: at, header, len, buf };
}
const body = (d: Der) => d.buf.subarray(d.start + d.header, d.start + d.header + d.len);
function kids(d: Der): Der[] {
  const out: Der[] = [];
  const b = body(d);
  for (let at = 0; at < b.length;) {
    const k = der(b, at);
    out.push(k);
    at += k.header + k.len;
  }
  return out;
}
function oid(d: Der): string {
  const b = body(d);
  const out = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) { out.push(v); v = 0; }
  }
  return out.join('.');
}

export class Certificate implements ManagedObject {
  readonly iface = 'ICertificate';
  private readonly tbs: Der[];
  /** Whether the signature over the manifest checked out and the certificate chains to a trusted one. */
  trusted = false;

  constructor(readonly x509: X509Certificate, readonly signedDigest: { alg: string; digest: Buffer }) {
    const cert = der(x509.raw);
    this.tbs = kids(kids(cert)[0]);
  }

  /** i_readSignatureFile: "<ALG>(<name>.mf)= <hex>" and the signer's PEM certificate. */
  static fromSignatureFile(text: string, file: string): Certificate {
    const m = /^\s*(SHA1|SHA256|SHA512|SHA384|SHA224)\s*\(([^)]*)\)\s*=\s*([0-9a-fA-F]+)/m.exec(text);
    if (!m) fail('VBOX_E_IPRT_ERROR', `Error parsing the .cert-file for '${file}': no signed digest`, 'IAppliance');
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text);
    if (!pem) fail('E_FAIL', `Malformed .cert-file for '${file}': Signer's certificate not found (VERR_NOT_FOUND)`, 'IAppliance');
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(pem![0]);
    } catch (e) {
      return fail('VBOX_E_IPRT_ERROR', `Error reading the signer's certificate from '${file}' for '${file}' (VERR_ASN1_CURSOR_BAD_LENGTH): ${(e as Error).message}`, 'IAppliance');
    }
    return new Certificate(x509, { alg: m![1], digest: Buffer.from(m![3], 'hex') });
  }

  /** i_readTailProcessing: the signed digest must verify against the manifest with the signer's key. */
  verifyManifest(manifest: Buffer): void {
    const alg = this.signedDigest.alg.toLowerCase();
    let ok = false;
    try {
      ok = verify(alg, manifest, this.x509.publicKey, this.signedDigest.digest);
    } catch {
      ok = false;
    }
    if (!ok) fail('VBOX_E_IPRT_ERROR', 'The manifest signature does not match', 'IAppliance');
    // Trusted needs a path to a trusted root; a self-signed one never has it (fCertificateMissingPath), nor has any
    // other on vboxsim's hosts (they keep no store of trusted certificates).
    this.trusted = false;
  }

  private get version() { return this.tbs[0].tag === 0xa0 ? body(kids(this.tbs[0])[0])[0] : 0; }
  private field(i: number) { return this.tbs[i + (this.tbs[0].tag === 0xa0 ? 1 : 0)]; }
  private names(d: Der): string[] {
    return kids(d).flatMap((rdn) => kids(rdn).map((atv) => {
      const [type, value] = kids(atv);
      const o = oid(type);
      return `${OIDS[o] ?? o}=${body(value).toString('utf8')}`;
    }));
  }

  getVersionNumber() { return ['V1', 'V2', 'V3'][this.version] ?? 'Unknown'; }
  /** RTAsn1Integer_ToString: the integer's bytes in hex, space-separated. */
  getSerialNumber() { return [...body(this.field(0))].map((b) => b.toString(16).padStart(2, '0')).join(' '); }
  getSignatureAlgorithmOID() { return oid(kids(this.field(1))[0]); }
  /** Certificate::i_getAlgorithmName compares with strcmp as if true meant equal: VirtualBox's names come out so. */
  getSignatureAlgorithmName() {
    const o = this.getSignatureAlgorithmOID();
    return !o ? '' : o !== RSA_OID ? 'rsaEncryption' : 'md2WithRSAEncryption';
  }
  getIssuerName() { return this.names(this.field(2)); }
  getSubjectName() { return this.names(this.field(4)); }
  getFriendlyName() {
    const get = (k: string) => this.getSubjectName().find((n) => n.startsWith(`${k}=`))?.slice(k.length + 1);
    const [o, ou, g, s, email] = [get('O'), get('OU'), get('G'), get('S'), get('Email')];
    if (g && s) return email ? `${s}, ${g} <${email}>` : o ? `${s}, ${g} (${o})` : ou ? `${s}, ${g} (${ou})` : `${s}, ${g}`;
    if (o && ou) return `${o}, ${ou}`;
    return o ?? ou ?? this.getSubjectName().join(', ');
  }
  /** RTTimeToString: nanoseconds. */
  getValidityPeriodNotBefore() { return new Date(this.x509.validFrom).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z'); }
  getValidityPeriodNotAfter() { return new Date(this.x509.validTo).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z'); }
  getPublicKeyAlgorithmOID() { return oid(kids(kids(this.field(5))[0])[0]); }
  getPublicKeyAlgorithm() {
    const o = this.getPublicKeyAlgorithmOID();
    return !o ? '' : o !== RSA_OID ? 'rsaEncryption' : 'md2WithRSAEncryption';
  }
  /** Certificate::i_getEncodedBytes asks RTAsn1EncodePrepare for flags it refuses: VirtualBox 7.1.12 fails so. */
  getSubjectPublicKey(): string { return this.encodeFails(); }
  private encodeFails(): never { return fail('VBOX_E_IPRT_ERROR', 'RTAsn1EncodePrepare failed with VERR_INVALID_FLAGS', 'ICertificate'); }
  getIssuerUniqueIdentifier() { return this.uniqueId(0x81); }
  getSubjectUniqueIdentifier() { return this.uniqueId(0x82); }
  private uniqueId(tag: number) {
    const d = this.tbs.find((t) => t.tag === tag);
    return d ? body(d).subarray(1).toString('hex').toUpperCase() : '';
  }
  getCertificateAuthority() { return this.x509.ca; }
  /** keyUsage bits as RTCrX509 keeps them (digitalSignature = bit 0). */
  getKeyUsage() {
    const ext = this.extension('2.5.29.15');
    if (!ext) return 0;
    const bits = body(der(ext));
    let v = 0;
    for (let i = 1; i < bits.length; i++) for (let b = 0; b < 8; b++) if (bits[i] & (0x80 >> b)) v |= 1 << ((i - 1) * 8 + b);
    return v;
  }
  /** Certificate::getExtendedKeyUsage is not implemented (E_NOTIMPL without error info). */
  getExtendedKeyUsage(): string[] { return bare('E_NOTIMPL'); }
  private extension(id: string): Buffer | null {
    const holder = this.tbs.find((t) => t.tag === 0xa3);
    if (!holder) return null;
    for (const e of kids(kids(holder)[0])) {
      const parts = kids(e);
      if (oid(parts[0]) === id) return body(parts[parts.length - 1]);
    }
    return null;
  }
  getRawCertData(): string { return this.encodeFails(); }
  /** RTCrX509Certificate_IsSelfSigned: issuer and subject the same (the signature is checked on read). */
  getSelfSigned() { return this.x509.subject === this.x509.issuer && this.x509.verify(this.x509.publicKey); }
  getTrusted() { return this.trusted; }
  getExpired() { return this.isCurrentlyExpired(); }
  isCurrentlyExpired() {
    const now = Date.now();
    return now < Date.parse(this.x509.validFrom) || now > Date.parse(this.x509.validTo);
  }
  /** Certificate::queryInfo: no item is known. */
  queryInfo(what: number): string { return fail('E_FAIL', `Unknown item ${what >>> 0}`, 'ICertificate'); }
  /** The SHA-256 of the DER certificate (for tests and logs). */
  get fingerprint() { return createHash('sha256').update(this.x509.raw).digest('hex'); }
}
