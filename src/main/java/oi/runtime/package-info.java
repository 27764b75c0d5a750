/**
 * What every listener shares while oi runs: settings, thread model, buffer pool, live sessions and limits.
 */
package oi.runtime;
