package org.janytun.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.janytun.sync.ConnectionRecord;
import org.janytun.sync.RouteRecord;
import org.janytun.sync.SyncFormatException;
import org.janytun.sync.SyncFrameReader;
import org.janytun.sync.SyncRecord;
import org.janytun.sync.TableChange;
import org.janytun.sync.TableDrop;
import org.janytun.sync.TableMarker;
import org.janytun.sync.UnknownRecord;

/**
 * What anytun-showtables prints for a stream of sync frames: one line per frame, in arrival order (SYNC.md §3).
 * <ul>
 *   <li>{@code Client <mux>: <a.b.c.d:port | [v6]:port | not registered>} for a connection;</li>
 *   <li>{@code Route: <address>/<length> -> <mux>} for a route;</li>
 *   <li>nothing for a frame with an unknown command or a janytun table marker.</li>
 * </ul>
 * For the frames the reference reads, stdout is byte for byte the same. Unlike the reference, errors go to stderr
 * (one line naming the frame), a frame the reference would half-apply (a host name as endpoint) is reported rather
 * than shown, there is no spurious {@code input stream error} at the end of input, and a table with one frame per
 * line (anytun-config output) is read as it is, without removing the newlines first.
 */
public final class Showtables {
    private Showtables() {}

    /** The line for one record, or null for records that print nothing. */
    public static String line(SyncRecord r) {
        return switch (r) {
            case ConnectionRecord c -> "Client " + c.mux() + ": " + c.endpointText();
            case RouteRecord rt -> "Route: " + rt.addressText() + "/" + rt.prefixLength() + " -> " + rt.mux();
            case UnknownRecord u -> null;
            case TableMarker m -> null;
            case TableChange c -> null;
            case TableDrop d -> null;
        };
    }

    /**
     * Prints a line for every frame of {@code in} until its end (or, for a socket with a read timeout, until it has
     * been idle that long between frames).
     *
     * @return 0 if every frame was good, 1 if any was reported on {@code err}
     */
    public static int run(InputStream in, PrintStream out, PrintStream err, String prog) {
        SyncFrameReader reader = new SyncFrameReader(in, org.janytun.sync.SyncCodec.DEFAULT_MAX_FRAME_LENGTH, true);
        int status = 0;
        while (true) {
            SyncRecord r;
            try {
                r = reader.next();
            } catch (SyncFormatException e) {
                err.println(prog + ": frame " + reader.frames() + ": " + e.getMessage());
                status = 1;
                if (e.recoverable()) {
                    continue;
                }
                break;
            } catch (SocketTimeoutException e) {
                break; // idle: the dump is complete
            } catch (IOException e) {
                err.println(prog + ": " + e.getMessage());
                status = 1;
                break;
            }
            if (r == null) {
                break;
            }
            String line = line(r);
            if (line != null) {
                byte[] b = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
                out.write(b, 0, b.length);
                out.flush();
            }
        }
        out.flush();
        return status;
    }
}
