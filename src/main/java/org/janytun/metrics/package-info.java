/**
 * The optional Prometheus endpoint ({@code --metrics}): the Prometheus Java client library's registry, read
 * through callbacks at scrape time (nothing on the packet path), served by its HTTP exporter.
 */
package org.janytun.metrics;
