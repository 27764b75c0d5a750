/** Several backends per rule: which one a new client gets, failover between them, and their health. */
package oi.balance;
