import { randomUUID } from 'node:crypto';

import { child, escapeXml, find, findAll, parseXml, type XmlNode } from './xml';

/** Namespaces of WS-Management and WinRS (MS-WSMV 2.2.1). */
export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  x: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  f: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
} as const;

/** The cmd shell's resource URI: WinRS shells live here. */
export const SHELL_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
/** The anonymous reply address every request names. */
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** Action URIs of the WinRS flow. */
export const ACTION = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: `${NS.rsp}/Command`,
  send: `${NS.rsp}/Send`,
  receive: `${NS.rsp}/Receive`,
  signal: `${NS.rsp}/Signal`,
  fault: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
} as const;

/** CommandState values in a ReceiveResponse. */
export const COMMAND_STATE = {
  done: `${NS.rsp}/CommandState/Done`,
  running: `${NS.rsp}/CommandState/Running`,
};
/** The terminate signal code. */
export const SIGNAL_TERMINATE = `${NS.rsp}/signal/terminate`;

/** WSManFault codes (decimal, as in the Code attribute) Patchbay tells apart. */
export const WSMAN_CODE = {
  timedOut: '2150858793',
  shellNotFound: '2150858843',
  maxShells: '2150859173',
  maxOperations: '2150859174',
  accessDenied: '5',
} as const;

/** Largest envelope we ask the server to send (MaxEnvelopeSize), as pywinrm and Windows' own client do. */
export const MAX_ENVELOPE_SIZE = 153_600;

/** What goes into one request's header. */
export interface EnvelopeOptions {
  to: string;
  action: string;
  shellId?: string;
  /** w:OptionSet entries, e.g. WINRS_NOPROFILE. */
  options?: Record<string, string>;
  operationTimeoutS: number;
  messageId?: string;
  body: string;
}

/** A SOAP request envelope: the header WINDOWS.md lists, then `body` (already escaped XML). */
export function buildEnvelope(o: EnvelopeOptions): { xml: string; messageId: string } {
  const messageId = o.messageId ?? `uuid:${randomUUID().toUpperCase()}`;
  const selector = o.shellId
    ? `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(o.shellId)}</w:Selector></w:SelectorSet>`
    : '';
  const options = o.options
    ? `<w:OptionSet>${Object.entries(o.options)
        .map(([k, v]) => `<w:Option Name="${escapeXml(k)}">${escapeXml(v)}</w:Option>`)
        .join('')}</w:OptionSet>`
    : '';
  const xml =
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:w="${NS.w}" xmlns:p="${NS.p}" xmlns:rsp="${NS.rsp}">` +
    `<s:Header><a:To>${escapeXml(o.to)}</a:To>` +
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${MAX_ENVELOPE_SIZE}</w:MaxEnvelopeSize>` +
    `<a:MessageID>${messageId}</a:MessageID>` +
    `<w:Locale xml:lang="en-US" s:mustUnderstand="false"/><p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>` +
    `<w:OperationTimeout>PT${o.operationTimeoutS}S</w:OperationTimeout>` +
    `<w:ResourceURI s:mustUnderstand="true">${SHELL_URI}</w:ResourceURI>` +
    `<a:Action s:mustUnderstand="true">${escapeXml(o.action)}</a:Action>` +
    `${selector}${options}</s:Header><s:Body>${o.body}</s:Body></s:Envelope>`;
  return { xml, messageId };
}

/** A SOAP fault as Windows sends it: code, subcode (e.g. w:TimedOut), reason and the WSManFault code. */
export interface SoapFault {
  code: string;
  subcode: string;
  reason: string;
  wsmanCode: string;
  message: string;
}

/** The fault in a response envelope, if it is one. */
export function parseFault(envelope: XmlNode): SoapFault | undefined {
  const fault = child(envelope, 'Body', 'Fault');
  if (!fault) return undefined;
  const value = (n: XmlNode | undefined): string => n?.text.trim() ?? '';
  const wsman = find(fault, 'WSManFault');
  return {
    code: value(child(fault, 'Code', 'Value')),
    subcode: value(child(fault, 'Code', 'Subcode', 'Value')),
    reason: value(child(fault, 'Reason', 'Text')),
    wsmanCode: wsman?.attrs.Code ?? '',
    message: value(wsman && find(wsman, 'Message')) || findAll(fault, 'Detail')[0]?.text.trim() || '',
  };
}

/** Parses a response and checks it answers `messageId` (a:RelatesTo), as MS-WSMV requires. */
export function parseResponse(xml: string, messageId: string): { envelope: XmlNode; fault?: SoapFault } {
  const envelope = parseXml(xml);
  if (envelope.name !== 'Envelope') throw new Error('WinRM reply is not a SOAP envelope');
  const fault = parseFault(envelope);
  const relatesTo = child(envelope, 'Header', 'RelatesTo')?.text.trim();
  if (!fault && relatesTo?.toLowerCase() !== messageId.toLowerCase()) {
    throw new Error(`WinRM reply answers ${relatesTo ?? 'nothing'}, not our request ${messageId}`);
  }
  return { envelope, fault };
}
