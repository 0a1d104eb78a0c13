# The web page (web/) behind nginx, which also balances the Rasa servers (deploy/nginx.conf).
#   docker build -f deploy/web.Dockerfile -t backline-web:latest .
# nginx-unprivileged: runs as a non-root user (uid 101) and listens on 8080.
FROM nginxinc/nginx-unprivileged:1.27-alpine
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY web/ /usr/share/nginx/html/
EXPOSE 8080
