/**
 * The control daemon and the table tools: {@link org.janytun.control.ControlTable} (a checked anytun-config table),
 * {@link org.janytun.control.ControlServer} (serves it as anytun-controld does, and pushes reloads between
 * {@link org.janytun.sync.TableMarker}s), {@link org.janytun.control.ControlDaemon} (janytun-controld at run
 * time), {@link org.janytun.control.Showtables} (anytun-showtables' output) and the shared command-line helpers.
 * The entry points are {@code org.janytun.cli.ConfigMain}, {@code ControldMain} and {@code ShowtablesMain}.
 */
package org.janytun.control;
