/** SATP key derivation, ciphers and authentication over the JCE; master key and salt; roles and labels. */
package org.janytun.crypto;
