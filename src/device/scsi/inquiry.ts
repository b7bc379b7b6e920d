/**
 * INQUIRY response parsing: who a SCSI device is (changer or tape drive, vendor,
 * product, revision) from the standard data, and its serial number from VPD page 0x80.
 *
 * Standard data layout (SPC): byte 0 peripheral qualifier (bits 7-5) and device type
 * (bits 4-0); byte 1 RMB 0x80; byte 2 version; byte 3 response data format (bits 3-0);
 * byte 4 additional length (n-4); byte 6 MCHNGR 0x08; vendor 8-15, product 16-31,
 * revision 32-35, all space-padded ASCII.
 */
import { AfError } from '../../errors.js';
import { reader, text, trimmed, u8, u16 } from './fields.js';

export const DEVICE_TYPE = {
  DISK: 0x00,
  TAPE: 0x01,
  MEDIUM_CHANGER: 0x08,
} as const;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: 'disk',
  0x01: 'tape',
  0x02: 'printer',
  0x03: 'processor',
  0x04: 'write-once',
  0x05: 'cd/dvd',
  0x07: 'optical memory',
  0x08: 'medium changer',
  0x0c: 'storage array',
  0x0d: 'enclosure',
  0x1f: 'unknown',
};

export interface InquiryData {
  /** 0 connected, 1 supported but not connected, 3 no device at this LUN. */
  qualifier: number;
  /** Peripheral device type: 8 medium changer, 1 tape. */
  deviceType: number;
  deviceTypeName: string;
  removable: boolean;
  version: number;
  responseDataFormat: number;
  /** MCHNGR: a changer is reachable through this device (attached changer API). */
  attachedChanger: boolean;
  vendor: string;
  product: string;
  revision: string;
}

/** Parses standard INQUIRY data; needs the 36 bytes that hold vendor, product and revision. */
export function parseInquiry(buf: Buffer): InquiryData {
  const r = reader(buf, 'DEVICE_IO', 'INQUIRY data');
  const b0 = u8(r, 0, 'peripheral device type');
  const deviceType = b0 & 0x1f;
  return {
    qualifier: b0 >> 5,
    deviceType,
    deviceTypeName: TYPE_NAMES[deviceType] ?? `type 0x${deviceType.toString(16).padStart(2, '0')}`,
    removable: (u8(r, 1, 'RMB') & 0x80) !== 0,
    version: u8(r, 2, 'version'),
    responseDataFormat: u8(r, 3, 'response data format') & 0x0f,
    attachedChanger: (u8(r, 6, 'MCHNGR') & 0x08) !== 0,
    vendor: text(r, 8, 8, 'vendor identification'),
    product: text(r, 16, 16, 'product identification'),
    revision: text(r, 32, 4, 'product revision level'),
  };
}

/**
 * Parses VPD page 0x80 (Unit Serial Number): byte 1 page code, bytes 2-3 page length,
 * then the serial number in ASCII, returned without padding blanks.
 */
export function parseUnitSerialNumber(buf: Buffer): string {
  const r = reader(buf, 'DEVICE_IO', 'VPD page 0x80');
  const page = u8(r, 1, 'page code');
  if (page !== 0x80) throw new AfError('DEVICE_IO', `VPD page 0x80: the device returned page 0x${page.toString(16)}`);
  const len = u16(r, 2, 'page length');
  return trimmed(r, 4, len, 'product serial number');
}
