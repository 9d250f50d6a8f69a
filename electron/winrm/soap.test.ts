import { describe, expect, it } from 'vitest';

import { ACTION, buildEnvelope, parseResponse, SHELL_URI, WSMAN_CODE } from './soap';
import { child, find, parseXml, XmlError } from './xml';

// A TimedOut fault shaped as Windows sends it (MS-WSMV; WSManFault code 2150858793 = 0x80338029).
const TIMED_OUT = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action><a:MessageID>uuid:1</a:MessageID><a:RelatesTo>uuid:ABC</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793" Machine="win10-01"><f:Message>The WS-Management service cannot complete the operation &amp; gave up. </f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`;

describe('SOAP envelopes', () => {
  it('builds the header WinRS needs, escaping what goes into it', () => {
    const { xml, messageId } = buildEnvelope({
      to: 'http://h:5985/wsman',
      action: ACTION.command,
      shellId: 'ABC-1',
      options: { WINRS_CONSOLEMODE_STDIN: 'TRUE' },
      operationTimeoutS: 20,
      body: '<rsp:CommandLine><rsp:Command>echo a&amp;b</rsp:Command></rsp:CommandLine>',
    });
    const env = parseXml(xml);
    const header = child(env, 'Header');
    expect(child(header, 'Action')?.text).toBe(ACTION.command);
    expect(child(header, 'ResourceURI')?.text).toBe(SHELL_URI);
    expect(child(header, 'MessageID')?.text).toBe(messageId);
    expect(messageId).toMatch(/^uuid:[0-9A-F-]{36}$/);
    expect(child(header, 'MaxEnvelopeSize')?.text).toBe('153600');
    expect(child(header, 'OperationTimeout')?.text).toBe('PT20S');
    expect(find(env, 'Selector')?.attrs).toEqual({ Name: 'ShellId' });
    expect(find(env, 'Selector')?.text).toBe('ABC-1');
    expect(find(env, 'Command')?.text).toBe('echo a&b');
  });

  it('reads a Windows TimedOut fault: subcode, WSManFault code, message', () => {
    const { fault } = parseResponse(TIMED_OUT, 'uuid:ABC');
    expect(fault).toMatchObject({
      code: 's:Receiver',
      subcode: 'w:TimedOut',
      wsmanCode: WSMAN_CODE.timedOut,
    });
    expect(fault?.message).toBe('The WS-Management service cannot complete the operation & gave up.');
  });

  it('refuses a reply that answers another request', () => {
    const reply = TIMED_OUT.replace(/<s:Body>.*<\/s:Body>/, '<s:Body/>');
    expect(() => parseResponse(reply, 'uuid:OTHER')).toThrow(/answers uuid:ABC, not our request/);
    expect(parseResponse(reply, 'uuid:abc').fault).toBeUndefined();
  });
});

describe('bounded XML reader (remote replies are untrusted)', () => {
  it('refuses DOCTYPE (no entity expansion), unknown entities and broken nesting', () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')).toThrow(XmlError);
    expect(() => parseXml('<x>&a;</x>')).toThrow(/unknown entity/);
    expect(() => parseXml('<x><y></x></y>')).toThrow(/unexpected/);
    expect(() => parseXml('<x/><y/>')).toThrow(/more than one root/);
    expect(() => parseXml('<x>')).toThrow(/not closed/);
  });

  it('caps depth and element count', () => {
    expect(() => parseXml('<a>'.repeat(100) + '</a>'.repeat(100))).toThrow(/nested too deeply/);
    expect(() => parseXml(`<r>${'<e/>'.repeat(20_001)}</r>`)).toThrow(/too many elements/);
  });

  it('matches local names whatever the prefix, decodes references and CDATA', () => {
    const n = parseXml(
      `<?xml version="1.0"?><env:E xmlns:env="u"><!-- c --><q:B a:x='1'>&#x41;&#66;&lt;<![CDATA[<raw>]]></q:B></env:E>`,
    );
    expect(n.name).toBe('E');
    expect(child(n, 'B')?.text).toBe('AB<<raw>');
    expect(child(n, 'B')?.attrs).toEqual({ x: '1' });
  });
});
