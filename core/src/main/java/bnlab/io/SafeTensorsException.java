package bnlab.io;

import java.io.IOException;

/** A file that is not a valid safetensors file (truncated, corrupt header, bad offsets). */
public final class SafeTensorsException extends IOException {
  /** An exception with a message naming the file and the problem. */
  public SafeTensorsException(String message) {
    super(message);
  }
}
