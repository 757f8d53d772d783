/**
 * What a failed TLS handshake means, from Node's error code (or OpenSSL's message when a driver
 * only passes the text on): each cause has its own remedy, and only an unknown issuer is fixed by
 * passing a CA. Shared by every client that speaks TLS (Kafka Connect, Kafka).
 */
export type TlsCause = 'hostname' | 'expired' | 'not-yet-valid' | 'self-signed' | 'unknown-ca' | 'client-cert' | 'not-tls' | 'other';

export interface TlsFailure {
  cause: TlsCause;
  /** One line: what is wrong, in the user's words. */
  problem: string;
  /** What to do about it, naming cdc's flags. */
  hint: string;
}

const BY_CODE: Record<string, TlsCause> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown-ca',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not-tls',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'client-cert',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'client-cert',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'client-cert',
};

const BY_MESSAGE: [RegExp, TlsCause][] = [
  [/does not match certificate's altnames|altname/i, 'hostname'],
  [/certificate has expired/i, 'expired'],
  [/certificate is not yet valid/i, 'not-yet-valid'],
  [/self[- ]signed certificate in certificate chain/i, 'unknown-ca'],
  [/self[- ]signed certificate/i, 'self-signed'],
  [/unable to (verify the first certificate|get (local )?issuer certificate)/i, 'unknown-ca'],
  [/wrong version number|packet length too long|http request/i, 'not-tls'],
  [/certificate required|bad certificate|alert handshake failure/i, 'client-cert'],
];

/**
 * The TLS failure behind an error, or undefined when it is not one. `service` names the peer
 * ("Kafka Connect", "the broker"), `host` the name cdc connected to, `certNames` the certificate's
 * subjectAltName when known.
 */
export function describeTlsFailure(code: string | undefined, message: string, service: string, host: string, certNames?: string): TlsFailure | undefined {
  const cause = (code && BY_CODE[code]) || BY_MESSAGE.find(([re]) => re.test(message))?.[1];
  if (!cause) return undefined;
  const detail = message.split('\n')[0].trim();
  switch (cause) {
    case 'hostname':
      return {
        cause,
        problem: `${service}'s certificate is not valid for host ${host}${certNames ? `: it names ${certNames}` : ` (${detail})`}`,
        hint: `connect with a host name that the certificate lists in its subjectAltName, or have the certificate reissued for ${host}; a CA file does not change this`,
      };
    case 'expired':
      return {
        cause,
        problem: `${service}'s certificate has expired`,
        hint: "renew the server's certificate (and check this machine's clock); a CA file does not change this",
      };
    case 'not-yet-valid':
      return {
        cause,
        problem: `${service}'s certificate is not valid yet`,
        hint: "check this machine's clock and the server's, or the certificate's start date",
      };
    case 'self-signed':
      return {
        cause,
        problem: `${service}'s certificate is self-signed, and not trusted here`,
        hint: 'pass that certificate itself with --ca-file to trust it',
      };
    case 'unknown-ca':
      return {
        cause,
        problem: `${service}'s certificate is signed by a CA that is not trusted here (${detail})`,
        hint: 'pass the CA that signed it (the whole chain up to the root) with --ca-file',
      };
    case 'client-cert':
      return {
        cause,
        problem: `${service} refused the TLS handshake (${detail})`,
        hint: 'it may require a client certificate: pass --cert-file and --key-file',
      };
    case 'not-tls':
      return {
        cause,
        problem: `${service} did not answer in TLS at ${host} (${detail})`,
        hint: 'the port speaks plain text: use http:// (or drop --ssl), or the TLS port',
      };
    default:
      return { cause, problem: `TLS handshake with ${service} failed: ${detail}`, hint: 'check the TLS settings (--ca-file, --cert-file, --key-file)' };
  }
}
