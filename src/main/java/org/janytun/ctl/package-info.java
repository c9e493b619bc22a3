/**
 * The operator's control socket of a running janytun ({@code janytun-ctl}): a Unix socket per daemon with
 * line-oriented {@code key=value} requests in the style of WireGuard's UAPI ({@link org.janytun.ctl.CtlRequest}),
 * served with peer-credential checks, deadlines and caps ({@link org.janytun.ctl.CtlServer}). What a request does
 * is the daemon's ({@link org.janytun.ctl.CtlHandler}).
 */
package org.janytun.ctl;
