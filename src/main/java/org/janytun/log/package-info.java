/** Log targets as anytun(8) names them (-L syslog|file|stdout|stderr), on SLF4J and Logback. */
package org.janytun.log;
