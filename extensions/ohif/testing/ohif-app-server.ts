/**
 * Serves the real, prebuilt OHIF app (scripts/ohif-app.mjs: @ohif/app 3.13.2, integrity checked) as
 * a hospital would deploy it, plus what a deployment adds for tilesr and nothing else:
 * - `/tilesr-ohif/`: the runtime-loadable extension + mode (scripts/ohif-extension.mjs);
 * - `/tilesr-ort/`: onnxruntime-web's .wasm (the extension's default `wasmPaths`);
 * - `/app-config.js`: the app's config with the extension and mode listed by URL and a DICOM JSON
 *   data source; index.html gets an import map so `@tilesr/extension-ohif` resolves as a name;
 * - `/ct/`: the bundled CT series and its DICOM JSON (`/ct/study.json`, made here with dcmjs).
 * Every response is cross-origin isolated (COOP/COEP), as the README asks of a deployment.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import dcmjs from 'dcmjs';
import { ROOT } from '../../../scripts/repo-server.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.onnx': 'application/octet-stream',
  '.dcm': 'application/dicom',
  '.map': 'application/json',
};

/** What the test needs to know about the served study. */
export interface OhifAppServer {
  origin: string;
  studyInstanceUid: string;
  instances: number;
  /** The viewer URL of the CT study in tilesr's mode through the DICOM JSON data source. */
  studyUrl: string;
  stop(): Promise<void>;
}

interface DcmjsData {
  DicomMessage: { readFile(b: ArrayBuffer): { dict: Record<string, unknown> } };
  DicomMetaDictionary: { naturalizeDataset(d: Record<string, unknown>): Record<string, unknown> };
}

/** DICOM JSON (OHIF's `dicomjson` data source format) for the CT series files. */
function studyJson(origin: string, dir: string): { json: unknown; uid: string; count: number } {
  const { DicomMessage, DicomMetaDictionary } = (dcmjs as unknown as { data: DcmjsData }).data;
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.dcm'))
    .sort();
  const instances = files.map((name) => {
    const buf = readFileSync(join(dir, name));
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const meta = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(ab).dict);
    // pixels come from the file itself (wadouri); binary values have no place in the JSON
    for (const [k, v] of Object.entries(meta))
      if (k === 'PixelData' || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) delete meta[k];
    return { metadata: meta, url: `dicomweb:${origin}/ct/${name}` };
  });
  const first = instances[0]?.metadata ?? {};
  const uid = String(first['StudyInstanceUID']);
  const json = {
    studies: [
      {
        StudyInstanceUID: uid,
        StudyDescription: first['StudyDescription'] ?? 'CT',
        StudyDate: first['StudyDate'],
        StudyTime: first['StudyTime'],
        PatientName: 'tilesr^CT',
        PatientID: first['PatientID'] ?? 'tilesr',
        AccessionNumber: first['AccessionNumber'] ?? '',
        Modalities: 'CT',
        NumInstances: instances.length,
        series: [
          {
            SeriesInstanceUID: first['SeriesInstanceUID'],
            SeriesDescription: first['SeriesDescription'] ?? 'CT series',
            SeriesNumber: first['SeriesNumber'] ?? 1,
            Modality: 'CT',
            instances,
          },
        ],
      },
    ],
  };
  return { json, uid, count: instances.length };
}

function appConfig(): string {
  return `window.config = {
  name: 'tilesr test config',
  routerBasename: null,
  extensions: ['/tilesr-ohif/index.js'],
  modes: ['/tilesr-ohif/mode.js'],
  customizationService: {},
  showStudyList: true,
  maxNumberOfWebWorkers: 1,
  showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: false,
  showLoadingIndicator: true,
  strictZSpacingForVolumeViewport: true,
  defaultDataSourceName: 'dicomjson',
  dataSources: [
    {
      namespace: '@ohif/extension-default.dataSourcesModule.dicomjson',
      sourceName: 'dicomjson',
      configuration: { friendlyName: 'dicom json', name: 'json' },
    },
  ],
};
`;
}

/** The app's index.html with the import map a deployment adds (before any script runs). */
function indexHtml(appDir: string): string {
  const html = readFileSync(join(appDir, 'index.html'), 'utf8');
  const map = JSON.stringify({
    imports: {
      '@tilesr/extension-ohif': '/tilesr-ohif/index.js',
      '@tilesr/mode-ohif': '/tilesr-ohif/mode.js',
    },
  });
  return html.replace('<head>', `<head><script type="importmap">${map}</script>`);
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startOhifAppServer(appDir: string, extensionDir: string): Promise<OhifAppServer> {
  const ctDir = join(ROOT, 'demo/samples/ct-series');
  let origin = '';
  let study: ReturnType<typeof studyJson> | undefined;
  const mounts: Array<[string, string]> = [
    ['/tilesr-ohif/', extensionDir],
    ['/tilesr-ort/', join(extensionDir, 'chunks/ort')],
    ['/ct/', ctDir],
    ['/', appDir],
  ];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, body: string | Buffer, type: string) => {
      res.writeHead(status, {
        'content-type': type,
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-origin',
        'cache-control': 'no-store',
      });
      res.end(body);
    };
    if (path === '/app-config.js') return send(200, appConfig(), MIME['.js'] ?? '');
    if (path === '/ct/study.json') {
      study ??= studyJson(origin, ctDir);
      return send(200, JSON.stringify(study.json), MIME['.json'] ?? '');
    }
    for (const [prefix, dir] of mounts) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir)) return send(403, 'forbidden', 'text/plain');
      if (existsSync(file) && statSync(file).isFile())
        return send(200, readFileSync(file), MIME[extname(file)] ?? 'application/octet-stream');
      if (prefix !== '/') return send(404, 'not found', 'text/plain');
    }
    // the app's routes (/tilesr/dicomjson?…): its single page
    return send(200, indexHtml(appDir), MIME['.html'] ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  study = studyJson(origin, ctDir);
  const studyUrl = `${origin}/tilesr/dicomjson?url=${encodeURIComponent(`${origin}/ct/study.json`)}&StudyInstanceUIDs=${study.uid}`;
  return {
    origin,
    studyInstanceUid: study.uid,
    instances: study.count,
    studyUrl,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
