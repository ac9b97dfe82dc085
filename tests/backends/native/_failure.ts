/**
 * Test fixture: the native failure of a Linux machine without a usable oneDNN.
 *
 * @module
 */
import { type NativeFailure, nativeFailure } from "../../../backends/native/unavailable.ts";

/** A failure as a Linux machine without oneDNN reports it. */
export const failure: NativeFailure = nativeFailure("no usable oneDNN found", [
  { path: "libdnnl.so.3", source: "a", outcome: "not found" },
  { path: "libdnnl.so.2", source: "b", outcome: "not found" },
  {
    path: "/opt/x/libdnnl.so",
    source: "c",
    outcome: "oneDNN 1.8.0; skiplab needs 2.x, or 3.1 or newer",
  },
], "linux");
