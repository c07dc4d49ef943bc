import * as dicomParserNs from 'dicom-parser';

/**
 * dicom-parser is a UMD bundle: under Node's ESM loader its functions sit on `default`, under a bundler
 * on the namespace itself. This picks whichever is there.
 */
type Lib = typeof dicomParserNs;
const ns = dicomParserNs as unknown as Lib & { default?: Lib };
export const dicomParser: Lib = ns.default && typeof ns.default.parseDicom === 'function' ? ns.default : ns;

export type DataSet = dicomParserNs.DataSet;
export type Element = dicomParserNs.Element;
