/** The shapes of the logs API (lib/logs, app/api/v1/vms/[id]/logs): plain data, usable in the browser. */

/** One log file: 0 is VBox.log, n is VBox.log.n (aged by n starts). */
export interface LogFileView {
  index: number;
  name: string;
  /** Bytes, when listed. */
  size: number;
}

/** GET /api/v1/vms/:id/logs */
export interface LogListView {
  /** The host the logs are read from: where the machine runs, else where it last ran. */
  hostId: string;
  hostName: string;
  /** Whether the machine runs there (VBox.log still grows). */
  running: boolean;
  files: LogFileView[];
}

/** GET /api/v1/vms/:id/logs/:index?offset&limit */
export interface LogWindowView {
  index: number;
  /** Where `text` starts in the file (bytes). */
  offset: number;
  /** Where the next read starts: offset plus the bytes of `text`. */
  next: number;
  /** The file's size now (smaller than an offset asked for once the log was aged by a new start). */
  size: number;
  text: string;
  /** Whether `next` is the end of the file (for now, if the machine runs). */
  eof: boolean;
}
