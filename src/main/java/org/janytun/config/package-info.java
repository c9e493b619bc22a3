/**
 * The daemons' configuration model: the checked settings of janytun ({@link org.janytun.config.TunnelSettings},
 * {@link org.janytun.config.SyncSettings}) and janytun-controld ({@link org.janytun.config.ControldSettings}), the
 * secrets they carry and the program name. The command line ({@code cli}) produces them; the daemons read them.
 */
package org.janytun.config;
