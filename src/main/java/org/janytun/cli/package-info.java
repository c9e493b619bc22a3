/** Command-line entry points and option parsing for janytun and its tools. */
package org.janytun.cli;
