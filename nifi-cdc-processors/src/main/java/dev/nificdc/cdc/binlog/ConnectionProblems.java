package dev.nificdc.cdc.binlog;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/**
 * What a failed connection to a server means and what to check, in the same words at run time and in Verify: the
 * drivers' own messages ("Socket fail to connect to ...", "Connection refused") say what broke, not what to do.
 */
public final class ConnectionProblems {
    /** The general advice when nothing more specific is known. */
    public static final String CHECK = "Check the host, port, username and password, and that the server accepts connections"
            + " from NiFi.";

    private ConnectionProblems() {
    }

    /** One or two sentences about a connection to {@code hostPort} (host:port) that failed with {@code problem}. */
    public static String describe(String hostPort, Throwable problem) {
        String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.lastIndexOf(':')) : hostPort;
        for (Throwable t = problem; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "The host name '" + host + "' does not resolve (unknown host). Check Hosts.";
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return "Nothing accepts connections at " + hostPort + " (" + t.getMessage() + "). Check the port in Hosts (MySQL"
                        + " and MariaDB listen on 3306 unless configured otherwise), and that the server is running and listens on"
                        + " that address (bind-address, firewall).";
            }
            if (t instanceof SocketTimeoutException) {
                return hostPort + " did not answer in time (" + t.getMessage() + "). Check the host and port, and that no"
                        + " firewall drops connections from NiFi.";
            }
            if (isTls(t)) {
                return "The TLS handshake failed with " + hostPort + ": " + t.getMessage() + ". Check that the SSL Context"
                        + " Service's trust store holds the server's certificate or the CA that signed it"
                        + " (and, with Verify Server Host Name, that the certificate names the host as given in Hosts).";
            }
            if (t instanceof SQLException sql && sql.getErrorCode() == 1045) {
                return hostPort + " rejected the user name or password: " + sql.getMessage() + ". Check Username and Password,"
                        + " and the host part of the user ('nifi_cdc'@'%').";
            }
        }
        return "Could not connect to " + hostPort + ": " + problem.getMessage() + ". " + CHECK;
    }

    /** True when {@code problem} is a failed TLS handshake (an untrusted certificate, a host name it does not name). */
    public static boolean tls(Throwable problem) {
        for (Throwable t = problem; t != null; t = t.getCause()) {
            if (isTls(t)) {
                return true;
            }
        }
        return false;
    }

    /** Connector/J reports a certificate that does not name the host in a message of its own, without a cause. */
    private static boolean isTls(Throwable t) {
        return t instanceof SSLException || t instanceof CertificateException
                || t instanceof SQLException && String.valueOf(t.getMessage()).contains("hostname verification failed");
    }

    /** True when {@code problem} means the server could not be reached at all (rather than refusing what was asked). */
    public static boolean unreachable(Throwable problem) {
        for (Throwable t = problem; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
