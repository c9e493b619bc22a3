/** Checks of digit strings shared by the option parsers, the sync records and the address parsers. */
package org.janytun.text;
