import { contract, isRefType, XSD_TYPES, type Part } from './contract';
import { escapeXml, VBOX_NS } from './xml';

function xsdType(type: string): string {
  if (XSD_TYPES.has(type)) return `xsd:${type}`;
  if (isRefType(type)) return 'xsd:string';
  return `vbox:${type}`;
}

function element(p: Part, indent: string): string {
  const occurs = p.array ? ' minOccurs="0" maxOccurs="unbounded"' : '';
  return `${indent}<xsd:element name="${p.name}"${occurs} type="${xsdType(p.type)}"/>`;
}

function sequence(parts: Part[], indent: string): string {
  if (!parts.length) return `${indent}<xsd:sequence/>`;
  return [`${indent}<xsd:sequence>`, ...parts.map((p) => element(p, indent + '  ')), `${indent}</xsd:sequence>`].join('\n');
}

function wrapped(name: string, parts: Part[]): string {
  return [`      <xsd:element name="${name}">`, '        <xsd:complexType>', sequence(parts, '          '),
    '        </xsd:complexType>', '      </xsd:element>'].join('\n');
}

/**
 * The WSDL of what vboxsim implements, in the shape of VirtualBox's own generated WSDL
 * (document/literal, one request and one response element per operation, the same
 * faults), with the service bound at `location`.
 */
export function generateWsdl(location: string): string {
  const ops = [...contract.operations.values()];
  const types: string[] = [];
  for (const [name, values] of contract.enums) {
    types.push(`      <xsd:simpleType name="${name}">\n        <xsd:restriction base="xsd:string">\n` +
      values.map((v) => `          <xsd:enumeration value="${v}"/>`).join('\n') +
      '\n        </xsd:restriction>\n      </xsd:simpleType>');
  }
  for (const [name, fields] of contract.structs) {
    types.push(`      <xsd:complexType name="${name}">\n${sequence(fields, '        ')}\n      </xsd:complexType>`);
  }
  for (const op of ops) {
    const input = op.hasThis ? [{ name: '_this', type: 'string', array: false }, ...op.params] : op.params;
    types.push(wrapped(op.name, input), wrapped(`${op.name}Response`, op.results));
  }
  types.push(wrapped('InvalidObjectFault', [{ name: 'badObjectID', type: 'string', array: false }]));
  types.push(wrapped('RuntimeFault', [{ name: 'resultCode', type: 'int', array: false }, { name: 'returnval', type: 'string', array: false }]));

  const faults = (f: (n: string) => string) => ['InvalidObjectFault', 'RuntimeFault'].map(f).join('\n');
  const messages = ['InvalidObjectFault', 'RuntimeFault'].map((n) =>
    `  <wsdl:message name="${n}Msg">\n    <wsdl:part name="fault" element="vbox:${n}"/>\n  </wsdl:message>`);
  const portOps: string[] = [];
  const bindOps: string[] = [];
  for (const op of ops) {
    messages.push(
      `  <wsdl:message name="${op.name}RequestMsg">\n    <wsdl:part name="parameters" element="vbox:${op.name}"/>\n  </wsdl:message>`,
      `  <wsdl:message name="${op.name}ResultMsg">\n    <wsdl:part name="parameters" element="vbox:${op.name}Response"/>\n  </wsdl:message>`,
    );
    portOps.push(`    <wsdl:operation name="${op.name}">\n      <wsdl:input message="vbox:${op.name}RequestMsg"/>\n` +
      `      <wsdl:output message="vbox:${op.name}ResultMsg"/>\n` +
      faults((n) => `      <wsdl:fault name="${n}" message="vbox:${n}Msg"/>`) + '\n    </wsdl:operation>');
    bindOps.push(`    <wsdl:operation name="${op.name}">\n      <soap:operation soapAction="" style="document"/>\n` +
      '      <wsdl:input>\n        <soap:body use="literal"/>\n      </wsdl:input>\n' +
      '      <wsdl:output>\n        <soap:body use="literal"/>\n      </wsdl:output>\n' +
      faults((n) => `      <wsdl:fault name="${n}">\n        <soap:fault name="${n}" use="literal"/>\n      </wsdl:fault>`) +
      '\n    </wsdl:operation>');
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- vboxsim: the part of VirtualBox 7.1's web service contract that this simulator implements. -->
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:vbox="${VBOX_NS}" name="VirtualBox" targetNamespace="${VBOX_NS}">
  <wsdl:types>
    <xsd:schema targetNamespace="${VBOX_NS}">
${types.join('\n')}
    </xsd:schema>
  </wsdl:types>
${messages.join('\n')}
  <wsdl:portType name="vboxPortType">
${portOps.join('\n')}
  </wsdl:portType>
  <wsdl:binding name="vboxBinding" type="vbox:vboxPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
${bindOps.join('\n')}
  </wsdl:binding>
  <wsdl:service name="vboxService">
    <wsdl:port name="vboxServicePort" binding="vbox:vboxBinding">
      <soap:address location="${escapeXml(location)}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
