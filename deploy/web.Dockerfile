# The web page (web/) behind nginx, which also balances the Rasa servers (deploy/nginx.conf).
#   docker build -f deploy/web.Dockerfile -t backline-web:latest .
FROM nginx:1.27-alpine
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY web/ /usr/share/nginx/html/
EXPOSE 8080 5005
